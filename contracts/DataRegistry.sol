// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// The catalogue of datasets a computation may use. A data owner (a registered node with the
// data role) lists a dataset by its schema hash, a commitment to its content, the algorithms
// it may be used with and a price per use, and gets a data token for it (see DataToken.sol).
// The data itself never touches the chain: only commitments and terms, which the TaskMarket
// reads when a task is created (the price is snapshotted there, so a later price change does
// not affect tasks already escrowed).

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {DataToken} from "./DataToken.sol";
import {NodeRegistry} from "./NodeRegistry.sol";
import {Roles} from "./Roles.sol";

/// @title DataRegistry
/// @notice Lists datasets, their use policy and price, and creates their data tokens.
contract DataRegistry is ReentrancyGuardTransient {
    enum DatasetStatus {
        None,
        Active,
        Paused,
        Retired
    }

    /// @notice Terms of a new listing.
    struct Listing {
        bytes32 schemaHash;
        bytes32 contentCommitment;
        uint64 rowCount;
        uint96 price;
        string metadataURI;
        bytes32[] allowedAlgorithms;
        uint256 initialSupply;
    }

    /// @dev Slot 0: owner + price; slot 1: token + status + rowCount; then the hashes and URI.
    struct Dataset {
        address owner;
        uint96 price;
        address token;
        DatasetStatus status;
        uint64 rowCount;
        bytes32 schemaHash;
        bytes32 contentCommitment;
        string metadataURI;
    }

    NodeRegistry private immutable _nodes;
    address private immutable _tokenImplementation;
    uint256 private _count;
    mapping(uint256 => Dataset) private _datasets;
    mapping(uint256 => mapping(bytes32 => bool)) private _allowed;

    error DataRegistryZeroAddress();
    error DataRegistryNotDataNode(address caller);
    error DataRegistryUnknownDataset(uint256 datasetId);
    error DataRegistryNotOwner(uint256 datasetId, address caller);
    error DataRegistryWrongStatus(uint256 datasetId, DatasetStatus status);
    error DataRegistryInvalidListing();

    event DatasetListed(
        uint256 indexed datasetId,
        address indexed owner,
        address token,
        bytes32 schemaHash,
        bytes32 contentCommitment,
        uint64 rowCount,
        uint96 price,
        string metadataURI
    );
    event DatasetPolicyUpdated(uint256 indexed datasetId, bytes32[] allowed, bytes32[] disallowed);
    event DatasetPriceUpdated(uint256 indexed datasetId, uint96 oldPrice, uint96 newPrice);
    event DatasetPaused(uint256 indexed datasetId);
    event DatasetUnpaused(uint256 indexed datasetId);
    event DatasetRetired(uint256 indexed datasetId);

    /// @param nodes_ The NodeRegistry whose data nodes may list datasets.
    constructor(NodeRegistry nodes_) {
        if (address(nodes_) == address(0)) revert DataRegistryZeroAddress();
        _nodes = nodes_;
        _tokenImplementation = address(new DataToken());
    }

    modifier onlyDatasetOwner(uint256 datasetId) {
        address owner = _datasets[datasetId].owner;
        if (owner == address(0)) revert DataRegistryUnknownDataset(datasetId);
        if (owner != msg.sender) revert DataRegistryNotOwner(datasetId, msg.sender);
        _;
    }

    /// @notice Lists a dataset owned by the caller (an eligible node with ROLE_DATA) and creates
    ///         its data token (name "Tacit Data #<id>", symbol "TD<id>"), minting
    ///         `listing.initialSupply` units to the caller.
    /// @param listing Schema hash, content commitment, row count, price, metadata URI,
    ///        allowed algorithm ids and the initial token supply.
    /// @return datasetId The new dataset's id (from 1).
    /// @return token The new data token.
    function list(Listing calldata listing) external nonReentrant returns (uint256 datasetId, address token) {
        if (!_nodes.isEligible(msg.sender, Roles.DATA)) revert DataRegistryNotDataNode(msg.sender);
        if (listing.schemaHash == bytes32(0) || listing.contentCommitment == bytes32(0)) {
            revert DataRegistryInvalidListing();
        }
        datasetId = ++_count;
        token = Clones.clone(_tokenImplementation);
        _datasets[datasetId] = Dataset({
            owner: msg.sender,
            price: listing.price,
            token: token,
            status: DatasetStatus.Active,
            rowCount: listing.rowCount,
            schemaHash: listing.schemaHash,
            contentCommitment: listing.contentCommitment,
            metadataURI: listing.metadataURI
        });
        for (uint256 i = 0; i < listing.allowedAlgorithms.length; ++i) {
            _allowed[datasetId][listing.allowedAlgorithms[i]] = true;
        }
        emit DatasetListed(
            datasetId,
            msg.sender,
            token,
            listing.schemaHash,
            listing.contentCommitment,
            listing.rowCount,
            listing.price,
            listing.metadataURI
        );
        emit DatasetPolicyUpdated(datasetId, listing.allowedAlgorithms, new bytes32[](0));
        string memory id = Strings.toString(datasetId);
        DataToken(token).initialize(
            datasetId,
            string.concat("Tacit Data #", id),
            string.concat("TD", id),
            msg.sender,
            listing.initialSupply
        );
    }

    /// @notice Sets the price per use for tasks created from now on.
    /// @param datasetId The dataset.
    /// @param price New price in payment-token units.
    function setPrice(uint256 datasetId, uint96 price) external onlyDatasetOwner(datasetId) {
        Dataset storage d = _datasets[datasetId];
        if (d.status == DatasetStatus.Retired) revert DataRegistryWrongStatus(datasetId, d.status);
        emit DatasetPriceUpdated(datasetId, d.price, price);
        d.price = price;
    }

    /// @notice Allows and disallows algorithms (by id) for tasks created from now on.
    /// @param datasetId The dataset.
    /// @param allowed Algorithm ids to allow.
    /// @param disallowed Algorithm ids to disallow (applied after `allowed`).
    function updatePolicy(uint256 datasetId, bytes32[] calldata allowed, bytes32[] calldata disallowed)
        external
        onlyDatasetOwner(datasetId)
    {
        DatasetStatus status = _datasets[datasetId].status;
        if (status == DatasetStatus.Retired) revert DataRegistryWrongStatus(datasetId, status);
        mapping(bytes32 => bool) storage policy = _allowed[datasetId];
        for (uint256 i = 0; i < allowed.length; ++i) policy[allowed[i]] = true;
        for (uint256 i = 0; i < disallowed.length; ++i) policy[disallowed[i]] = false;
        emit DatasetPolicyUpdated(datasetId, allowed, disallowed);
    }

    /// @notice Stops new tasks from using the dataset until {unpause}. Tasks already created go on.
    /// @param datasetId The dataset (must be Active).
    function pause(uint256 datasetId) external onlyDatasetOwner(datasetId) {
        _move(datasetId, DatasetStatus.Active, DatasetStatus.Paused);
        emit DatasetPaused(datasetId);
    }

    /// @notice Lets new tasks use a paused dataset again.
    /// @param datasetId The dataset (must be Paused).
    function unpause(uint256 datasetId) external onlyDatasetOwner(datasetId) {
        _move(datasetId, DatasetStatus.Paused, DatasetStatus.Active);
        emit DatasetUnpaused(datasetId);
    }

    /// @notice Retires the dataset for good: no new task can use it. Tasks already created go on.
    /// @param datasetId The dataset (Active or Paused).
    function retire(uint256 datasetId) external onlyDatasetOwner(datasetId) {
        Dataset storage d = _datasets[datasetId];
        if (d.status == DatasetStatus.Retired) revert DataRegistryWrongStatus(datasetId, d.status);
        d.status = DatasetStatus.Retired;
        emit DatasetRetired(datasetId);
    }

    /// @notice What the TaskMarket needs to admit a dataset into a task, in one call.
    /// @param datasetId The dataset.
    /// @param algorithmId The task's algorithm.
    /// @return owner Dataset owner (zero if unknown).
    /// @return token Its data token.
    /// @return price Current price per use.
    /// @return status Current status.
    /// @return allowed Whether `algorithmId` may be run on it.
    function useTerms(uint256 datasetId, bytes32 algorithmId)
        external
        view
        returns (address owner, address token, uint96 price, DatasetStatus status, bool allowed)
    {
        Dataset storage d = _datasets[datasetId];
        return (d.owner, d.token, d.price, d.status, _allowed[datasetId][algorithmId]);
    }

    /// @notice The full record of a dataset.
    /// @param datasetId The dataset.
    function getDataset(uint256 datasetId) external view returns (Dataset memory) {
        Dataset memory d = _datasets[datasetId];
        if (d.owner == address(0)) revert DataRegistryUnknownDataset(datasetId);
        return d;
    }

    /// @notice Owner of a dataset (zero address when unknown).
    /// @param datasetId The dataset.
    function ownerOf(uint256 datasetId) external view returns (address) {
        return _datasets[datasetId].owner;
    }

    /// @notice Whether `algorithmId` may be run on the dataset.
    /// @param datasetId The dataset.
    /// @param algorithmId The algorithm id.
    function isAlgorithmAllowed(uint256 datasetId, bytes32 algorithmId) external view returns (bool) {
        return _allowed[datasetId][algorithmId];
    }

    /// @notice Number of datasets ever listed (ids run from 1 to this).
    function datasetCount() external view returns (uint256) {
        return _count;
    }

    /// @notice The NodeRegistry this catalogue trusts.
    function nodeRegistry() external view returns (NodeRegistry) {
        return _nodes;
    }

    /// @notice The DataToken implementation every data token is a clone of.
    function dataTokenImplementation() external view returns (address) {
        return _tokenImplementation;
    }

    function _move(uint256 datasetId, DatasetStatus from, DatasetStatus to) private {
        Dataset storage d = _datasets[datasetId];
        if (d.status != from) revert DataRegistryWrongStatus(datasetId, d.status);
        d.status = to;
    }
}
