// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {DataRegistry} from "./DataRegistry.sol";

/// @title DataTokenSale
/// @notice A fixed-price shop for data tokens (after Ocean Protocol's fixed-rate exchange): a
///         dataset owner offers uses of its dataset at a price per use, and a requester buys
///         them in one call, paying the owner in the payment token while the data tokens move
///         from the owner to the buyer. Nothing is held here: the owner approves this contract
///         for its data token, the buyer for the payment token.
/// @dev A sale's price is independent of the per-task price in DataRegistry (paid at
///      settlement): it prices the right to run tasks, which the owner may also give away.
contract DataTokenSale is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Units of a data token per use.
    uint256 public constant DATA_TOKEN_UNIT = 1e18;

    DataRegistry private immutable _registry;
    IERC20 private immutable _payment;

    struct Offer {
        bool open;
        uint96 pricePerUse;
    }

    mapping(uint256 datasetId => Offer) private _offers;

    event SaleOpened(uint256 indexed datasetId, uint96 pricePerUse);
    event SaleClosed(uint256 indexed datasetId);
    event DataTokensBought(uint256 indexed datasetId, address indexed buyer, uint256 uses, uint256 paid);

    error DataTokenSaleZeroAddress();
    error DataTokenSaleNotOwner(uint256 datasetId, address caller);
    error DataTokenSaleNotOpen(uint256 datasetId);
    error DataTokenSaleZeroUses();
    error DataTokenSaleDatasetUnavailable(uint256 datasetId);
    error DataTokenSalePriceAboveMax(uint256 datasetId, uint256 cost, uint256 maxCost);

    /// @param registry_ The DataRegistry whose datasets are sold.
    /// @param payment_ The payment token (the TaskMarket's).
    constructor(DataRegistry registry_, IERC20 payment_) {
        if (address(registry_) == address(0) || address(payment_) == address(0)) revert DataTokenSaleZeroAddress();
        _registry = registry_;
        _payment = payment_;
    }

    /// @notice Offers uses of the caller's dataset at `pricePerUse` (may be zero), or changes
    ///         the price of an open offer.
    /// @param datasetId The dataset (caller must own it).
    /// @param pricePerUse Payment-token units per use.
    function openSale(uint256 datasetId, uint96 pricePerUse) external {
        if (_registry.ownerOf(datasetId) != msg.sender) revert DataTokenSaleNotOwner(datasetId, msg.sender);
        _offers[datasetId] = Offer({open: true, pricePerUse: pricePerUse});
        emit SaleOpened(datasetId, pricePerUse);
    }

    /// @notice Withdraws the offer.
    /// @param datasetId The dataset (caller must own it).
    function closeSale(uint256 datasetId) external {
        if (_registry.ownerOf(datasetId) != msg.sender) revert DataTokenSaleNotOwner(datasetId, msg.sender);
        delete _offers[datasetId];
        emit SaleClosed(datasetId);
    }

    /// @notice Buys `uses` uses of a dataset on sale: pays `uses × pricePerUse` to the owner
    ///         and receives `uses × 1e18` data-token units from the owner. Reverts with
    ///         {DataTokenSalePriceAboveMax} when the cost exceeds `maxCost`, so an owner who
    ///         raises the price while the purchase is in flight cannot charge more than the
    ///         buyer saw.
    /// @param datasetId The dataset.
    /// @param uses How many uses (tasks) to buy.
    /// @param maxCost The most the buyer pays in total (payment-token units).
    function buy(uint256 datasetId, uint256 uses, uint256 maxCost) external nonReentrant {
        if (uses == 0) revert DataTokenSaleZeroUses();
        Offer memory offer = _offers[datasetId];
        if (!offer.open) revert DataTokenSaleNotOpen(datasetId);
        DataRegistry.Dataset memory d = _registry.getDataset(datasetId);
        if (d.status != DataRegistry.DatasetStatus.Active) revert DataTokenSaleDatasetUnavailable(datasetId);
        uint256 cost = uses * offer.pricePerUse;
        if (cost > maxCost) revert DataTokenSalePriceAboveMax(datasetId, cost, maxCost);
        emit DataTokensBought(datasetId, msg.sender, uses, cost);
        if (cost > 0) _payment.safeTransferFrom(msg.sender, d.owner, cost);
        IERC20(d.token).safeTransferFrom(d.owner, msg.sender, uses * DATA_TOKEN_UNIT);
    }

    /// @notice The offer for a dataset.
    /// @param datasetId The dataset.
    /// @return open Whether it is on sale.
    /// @return pricePerUse Its price per use.
    function offerOf(uint256 datasetId) external view returns (bool open, uint96 pricePerUse) {
        Offer memory o = _offers[datasetId];
        return (o.open, o.pricePerUse);
    }

    /// @notice The registry whose datasets are sold.
    function registry() external view returns (DataRegistry) {
        return _registry;
    }

    /// @notice The payment token.
    function paymentToken() external view returns (IERC20) {
        return _payment;
    }
}
