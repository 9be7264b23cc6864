// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Guarded} from "./Guarded.sol";
import {IERC20} from "./ERC20.sol";

/// @notice The borrower side of an ERC-3156-style flash loan.
interface IFlashBorrower {
    function onFlashLoan(
        address initiator,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata data
    ) external returns (bytes32);
}

/// @title A fee-based flash-loan provider (ERC-3156 callback style) funded by depositors.
contract FlashLender is Guarded {
    bytes32 public constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    uint256 public constant FEE_BPS = 9;

    mapping(address => mapping(address => uint256)) public depositOf;

    event Deposited(address indexed account, address indexed token, uint256 amount);
    event Withdrawn(address indexed account, address indexed token, uint256 amount);
    event FlashLoan(address indexed receiver, address indexed token, uint256 amount, uint256 fee);

    error CallbackFailed();
    error ExceedsBalance(uint256 requested, uint256 available);
    error TransferFailed();

    constructor(address guardian_) Guarded(guardian_) {}

    function maxFlashLoan(address token) external view returns (uint256) {
        return IERC20(token).balanceOf(address(this));
    }

    function flashFee(address, uint256 amount) public pure returns (uint256) {
        return amount * FEE_BPS / 10_000;
    }

    function deposit(address token, uint256 amount) external whenNotPaused {
        if (!IERC20(token).transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
        depositOf[msg.sender][token] += amount;
        emit Deposited(msg.sender, token, amount);
    }

    function withdraw(address token, uint256 amount) external whenNotPaused {
        uint256 deposited = depositOf[msg.sender][token];
        if (amount > deposited) revert ExceedsBalance(amount, deposited);
        depositOf[msg.sender][token] = deposited - amount;
        if (!IERC20(token).transfer(msg.sender, amount)) revert TransferFailed();
        emit Withdrawn(msg.sender, token, amount);
    }

    /// @notice Lends `amount` of `token` to `receiver` for the duration of its callback and
    /// pulls back `amount + fee` afterwards.
    function flashLoan(IFlashBorrower receiver, address token, uint256 amount, bytes calldata data)
        external
        whenNotPaused
        returns (bool)
    {
        uint256 fee = flashFee(token, amount);
        if (!IERC20(token).transfer(address(receiver), amount)) revert TransferFailed();
        if (receiver.onFlashLoan(msg.sender, token, amount, fee, data) != CALLBACK_SUCCESS) {
            revert CallbackFailed();
        }
        if (!IERC20(token).transferFrom(address(receiver), address(this), amount + fee)) {
            revert TransferFailed();
        }
        emit FlashLoan(address(receiver), token, amount, fee);
        return true;
    }
}
