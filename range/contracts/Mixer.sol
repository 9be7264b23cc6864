// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title A fixed-denomination ether mixer, the usual first hop of an attacker's gas money.
/// @notice Notes are hash commitments; a withdrawal reveals the secret and pays any
/// recipient, optionally through a relayer who sends the transaction and keeps a fee (so a
/// fresh address can be funded without ever holding ether first). Unlike a real mixer the
/// secret is revealed on chain — the range needs the flow, not the privacy.
contract Mixer {
    mapping(bytes32 => uint256) public deposits;
    mapping(bytes32 => bool) public spent;

    event Deposit(bytes32 indexed commitment, uint256 amount, uint256 timestamp);
    event Withdrawal(address to, bytes32 nullifierHash, address indexed relayer, uint256 fee);

    error InvalidDenomination(uint256 amount);
    error DuplicateCommitment(bytes32 commitment);
    error UnknownNote();
    error NoteSpent();
    error FeeTooHigh(uint256 fee);
    error EtherTransferFailed();

    function deposit(bytes32 commitment) external payable {
        if (msg.value != 1 ether && msg.value != 10 ether && msg.value != 100 ether) {
            revert InvalidDenomination(msg.value);
        }
        if (deposits[commitment] != 0) revert DuplicateCommitment(commitment);
        deposits[commitment] = msg.value;
        emit Deposit(commitment, msg.value, block.timestamp);
    }

    function withdraw(bytes32 secret, address payable to, address payable relayer, uint256 fee)
        external
    {
        bytes32 commitment = keccak256(abi.encodePacked(secret));
        uint256 amount = deposits[commitment];
        if (amount == 0) revert UnknownNote();
        bytes32 nullifierHash = keccak256(abi.encodePacked(commitment, "nullifier"));
        if (spent[nullifierHash]) revert NoteSpent();
        if (fee > amount / 10) revert FeeTooHigh(fee);
        spent[nullifierHash] = true;
        (bool ok,) = to.call{value: amount - fee}("");
        if (!ok) revert EtherTransferFailed();
        if (fee > 0) {
            (bool paid,) = relayer.call{value: fee}("");
            if (!paid) revert EtherTransferFailed();
        }
        emit Withdrawal(to, nullifierHash, relayer, fee);
    }
}
