// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Guarded} from "./Guarded.sol";
import {IERC20} from "./ERC20.sol";

/// @title The home side of a token bridge with optimistic message roots (Nomad style).
/// @notice Deposits lock tokens here for the remote chain. Withdrawals are messages from the
/// remote chain: the updater commits a Merkle root of messages, anyone proves a message
/// against it and the bridge releases the tokens.
/// The flaw is Nomad's: the bridge was initialised with the zero root marked as confirmed,
/// and an unproven message maps to the zero root — so any well-formed message passes
/// `process` without a proof.
contract Bridge is Guarded {
    bytes32 public constant PROCESSED = bytes32(uint256(2));

    address public updater;
    bytes32 public committedRoot;
    uint64 public depositNonce;
    mapping(bytes32 => uint256) public confirmAt;
    mapping(bytes32 => bytes32) public messages;

    event Deposited(
        uint64 indexed nonce,
        address indexed token,
        address indexed sender,
        uint32 destination,
        bytes32 recipient,
        uint256 amount
    );
    event Update(bytes32 indexed oldRoot, bytes32 indexed newRoot);
    event Proved(bytes32 indexed leaf, bytes32 indexed root);
    event Processed(bytes32 indexed leaf, address indexed token, address indexed recipient, uint256 amount);

    error NotUpdater(address caller);
    error NotProven(bytes32 leaf);
    error InvalidProof(bytes32 leaf);
    error TransferFailed();

    constructor(address updater_, bytes32 committedRoot_, address guardian_) Guarded(guardian_) {
        updater = updater_;
        committedRoot = committedRoot_;
        confirmAt[committedRoot_] = 1;
    }

    /// @notice Locks `amount` of `token` for `recipient` on chain `destination`.
    function deposit(address token, uint256 amount, uint32 destination, bytes32 recipient)
        external
        whenNotPaused
    {
        if (!IERC20(token).transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
        uint64 nonce = depositNonce++;
        emit Deposited(nonce, token, msg.sender, destination, recipient, amount);
    }

    /// @notice Commits a new root of remote messages. Updater only.
    function update(bytes32 newRoot) external {
        if (msg.sender != updater) revert NotUpdater(msg.sender);
        emit Update(committedRoot, newRoot);
        confirmAt[newRoot] = block.timestamp;
        committedRoot = newRoot;
    }

    function acceptableRoot(bytes32 root) public view returns (bool) {
        if (root == PROCESSED) return false;
        uint256 at = confirmAt[root];
        return at != 0 && block.timestamp >= at;
    }

    /// @notice Records that `leaf` is in a confirmed root, given its Merkle branch.
    function prove(bytes32 leaf, bytes32[] calldata proof, uint256 index) public returns (bool) {
        if (messages[leaf] != bytes32(0)) return false;
        bytes32 node = leaf;
        for (uint256 i = 0; i < proof.length; i++) {
            node = (index >> i) & 1 == 1
                ? keccak256(abi.encodePacked(proof[i], node))
                : keccak256(abi.encodePacked(node, proof[i]));
        }
        if (confirmAt[node] == 0) return false;
        messages[leaf] = node;
        emit Proved(leaf, node);
        return true;
    }

    /// @notice Releases the tokens of a proven message
    /// `abi.encode(uint64 nonce, address token, address recipient, uint256 amount)`.
    function process(bytes calldata message) public whenNotPaused returns (bool) {
        bytes32 leaf = keccak256(message);
        if (!acceptableRoot(messages[leaf])) revert NotProven(leaf);
        messages[leaf] = PROCESSED;
        (, address token, address recipient, uint256 amount) =
            abi.decode(message, (uint64, address, address, uint256));
        if (!IERC20(token).transfer(recipient, amount)) revert TransferFailed();
        emit Processed(leaf, token, recipient, amount);
        return true;
    }

    function proveAndProcess(bytes calldata message, bytes32[] calldata proof, uint256 index)
        external
        whenNotPaused
    {
        if (!prove(keccak256(message), proof, index)) revert InvalidProof(keccak256(message));
        process(message);
    }
}
