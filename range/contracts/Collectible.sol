// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title A minimal ERC-721-like collection with a public paid mint (benign traffic only).
contract Collectible {
    string public constant name = "Range Collectible";
    string public constant symbol = "RCOL";
    uint256 public constant PRICE = 0.01 ether;
    uint256 public constant MAX_PER_MINT = 20;
    address public immutable creator;
    uint256 public totalSupply;
    mapping(uint256 => address) public ownerOf;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    error WrongPayment(uint256 sent, uint256 expected);
    error InvalidQuantity(uint256 quantity);
    error NotTokenOwner(uint256 tokenId);
    error EtherTransferFailed();

    constructor() {
        creator = msg.sender;
    }

    function mint(uint256 quantity) external payable {
        if (quantity == 0 || quantity > MAX_PER_MINT) revert InvalidQuantity(quantity);
        if (msg.value != quantity * PRICE) revert WrongPayment(msg.value, quantity * PRICE);
        for (uint256 i = 0; i < quantity; i++) {
            uint256 id = ++totalSupply;
            ownerOf[id] = msg.sender;
            emit Transfer(address(0), msg.sender, id);
        }
        balanceOf[msg.sender] += quantity;
    }

    function transferFrom(address from, address to, uint256 tokenId) external {
        if (ownerOf[tokenId] != from || msg.sender != from) revert NotTokenOwner(tokenId);
        ownerOf[tokenId] = to;
        balanceOf[from] -= 1;
        balanceOf[to] += 1;
        emit Transfer(from, to, tokenId);
    }

    function withdrawProceeds() external {
        (bool ok,) = payable(creator).call{value: address(this).balance}("");
        if (!ok) revert EtherTransferFailed();
    }
}
