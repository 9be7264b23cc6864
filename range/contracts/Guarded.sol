// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title Owner, guardian and pause switch shared by every protected contract of the range.
/// @notice The guardian is the defender's key: it can only pause. The owner can pause, unpause
/// and hand out both roles. Every value-moving function of a victim carries `whenNotPaused`.
abstract contract Guarded {
    address public owner;
    address public guardian;
    bool public paused;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event GuardianChanged(address indexed previousGuardian, address indexed newGuardian);
    event Paused(address account);
    event Unpaused(address account);

    error NotOwner(address caller);
    error NotGuardian(address caller);
    error EnforcedPause();
    error ExpectedPause();

    constructor(address guardian_) {
        _transferOwnership(msg.sender);
        guardian = guardian_;
        emit GuardianChanged(address(0), guardian_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert EnforcedPause();
        _;
    }

    /// @notice Stops every value-moving function. Callable by the guardian or the owner.
    function pause() external {
        if (msg.sender != guardian && msg.sender != owner) revert NotGuardian(msg.sender);
        if (paused) revert EnforcedPause();
        paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Resumes operation after an incident. Owner only.
    function unpause() external onlyOwner {
        if (!paused) revert ExpectedPause();
        paused = false;
        emit Unpaused(msg.sender);
    }

    function setGuardian(address newGuardian) external onlyOwner {
        emit GuardianChanged(guardian, newGuardian);
        guardian = newGuardian;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        _transferOwnership(newOwner);
    }

    function _transferOwnership(address newOwner) internal {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
