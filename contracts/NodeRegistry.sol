// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Who may take part in Tacit and what they have at stake. An institution registers the
// node account it runs, says how to reach it (endpoint + TLS key fingerprint, so peers can
// pin its key) and which roles it offers, and locks a stake in the payment token. The stake
// is what makes a node's `accept` worth something: the TaskMarket (and only it) slashes it
// for a fault the chain can attribute, and the slashed amount is burnt (locked here for good). Leaving is two-step with a delay longer than any task can last, so a
// node cannot accept a task and pull its stake out before the task can be judged.

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {Roles} from "./Roles.sol";

/// @title NodeRegistry
/// @notice Registry of Tacit nodes, their roles and their stakes.
/// @dev Slashed stake is burnt: it stays in this contract for good, counted in
///      {burntStake}, and nobody — not the requester, not the other parties — can withdraw
///      it, so no one gains from a failure they provoke or allege. A node's whole record
///      fits one slot so the TaskMarket's eligibility check is a single SLOAD.
contract NodeRegistry is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Role bit: the node lists datasets and serves them to computations.
    uint8 public constant ROLE_DATA = Roles.DATA;
    /// @notice Role bit: the node runs MPC computations.
    uint8 public constant ROLE_COMPUTE = Roles.COMPUTE;
    /// @notice Role bit: the node may receive task results.
    uint8 public constant ROLE_RECEIVER = Roles.RECEIVER;

    /// @dev One slot: 16 + 5 + 1 + 1 bytes.
    struct NodeRecord {
        uint128 stake;
        uint40 exitRequestedAt;
        uint8 roles;
        bool registered;
    }

    struct NodeProfile {
        string name;
        string endpoint;
        bytes32 tlsFingerprint;
    }

    /// @notice Everything known about a node, as returned by {getNode}.
    struct NodeInfo {
        bool registered;
        uint8 roles;
        uint128 stake;
        uint40 exitRequestedAt;
        bytes32 tlsFingerprint;
        string name;
        string endpoint;
    }

    IERC20 private immutable _stakeToken;
    uint128 private immutable _minStake;
    uint40 private immutable _exitDelay;
    address private immutable _binder;

    address private _taskMarket;
    uint256 private _burnt;
    mapping(address => NodeRecord) private _records;
    mapping(address => NodeProfile) private _profiles;
    EnumerableSet.AddressSet private _nodes;

    error NodeRegistryZeroAddress();
    error NodeRegistryInvalidConfig();
    error NodeRegistryAlreadyRegistered(address node);
    error NodeRegistryNotRegistered(address node);
    error NodeRegistryInvalidRoles(uint8 roles);
    error NodeRegistryInvalidProfile();
    error NodeRegistryStakeTooLow(uint256 stake, uint256 minStake);
    error NodeRegistryZeroAmount();
    error NodeRegistryExiting(address node);
    error NodeRegistryNotExiting(address node);
    error NodeRegistryExitDelayPending(uint256 releaseAt);
    error NodeRegistryNotBinder(address caller);
    error NodeRegistryAlreadyBound(address taskMarket);
    error NodeRegistryNotTaskMarket(address caller);

    event NodeRegistered(
        address indexed node, string name, string endpoint, bytes32 tlsFingerprint, uint8 roles, uint256 stake
    );
    event NodeUpdated(address indexed node, string name, string endpoint, bytes32 tlsFingerprint, uint8 roles);
    event StakeAdded(address indexed node, uint256 amount, uint256 stake);
    event NodeExitRequested(address indexed node, uint256 releaseAt);
    event NodeExited(address indexed node, uint256 stakeReturned);
    event NodeSlashed(address indexed node, uint256 amount);
    event TaskMarketBound(address indexed taskMarket);

    /// @param stakeToken_ ERC-20 that stakes are held in (the network's payment token).
    /// @param minStake_ Stake a node needs to register and to stay eligible.
    /// @param exitDelay_ Seconds between {requestExit} and {withdrawStake}; must exceed the
    ///        TaskMarket's longest task so that faults can still be slashed.
    constructor(IERC20 stakeToken_, uint128 minStake_, uint40 exitDelay_) {
        if (address(stakeToken_) == address(0)) revert NodeRegistryZeroAddress();
        if (minStake_ == 0 || exitDelay_ == 0) revert NodeRegistryInvalidConfig();
        _stakeToken = stakeToken_;
        _minStake = minStake_;
        _exitDelay = exitDelay_;
        _binder = msg.sender;
    }

    modifier onlyTaskMarket() {
        if (msg.sender != _taskMarket) revert NodeRegistryNotTaskMarket(msg.sender);
        _;
    }

    /// @notice Names the one TaskMarket allowed to slash. Callable once, by the deployer.
    /// @param taskMarket_ The TaskMarket contract.
    function bindTaskMarket(address taskMarket_) external {
        if (msg.sender != _binder) revert NodeRegistryNotBinder(msg.sender);
        if (_taskMarket != address(0)) revert NodeRegistryAlreadyBound(_taskMarket);
        if (taskMarket_ == address(0)) revert NodeRegistryZeroAddress();
        _taskMarket = taskMarket_;
        emit TaskMarketBound(taskMarket_);
    }

    /// @notice Registers the caller as a node and locks `stake` (pulled with transferFrom).
    /// @param name Human-readable institution/node name (non-empty).
    /// @param endpoint Where peers reach the node (e.g. `host:port`, non-empty).
    /// @param tlsFingerprint SHA-256 of the node's TLS public key, pinned by peers.
    /// @param roles Bitmask of ROLE_DATA | ROLE_COMPUTE | ROLE_RECEIVER (non-zero).
    /// @param stake Amount of the stake token to lock; at least {minStake}.
    function register(
        string calldata name,
        string calldata endpoint,
        bytes32 tlsFingerprint,
        uint8 roles,
        uint128 stake
    ) external nonReentrant {
        if (_records[msg.sender].registered) revert NodeRegistryAlreadyRegistered(msg.sender);
        _checkProfile(name, endpoint, roles);
        if (stake < _minStake) revert NodeRegistryStakeTooLow(stake, _minStake);
        _records[msg.sender] = NodeRecord({stake: stake, exitRequestedAt: 0, roles: roles, registered: true});
        _profiles[msg.sender] = NodeProfile({name: name, endpoint: endpoint, tlsFingerprint: tlsFingerprint});
        _nodes.add(msg.sender);
        emit NodeRegistered(msg.sender, name, endpoint, tlsFingerprint, roles, stake);
        _stakeToken.safeTransferFrom(msg.sender, address(this), stake);
    }

    /// @notice Replaces the caller's profile and roles. Not allowed while exiting.
    /// @param name New name (non-empty).
    /// @param endpoint New endpoint (non-empty).
    /// @param tlsFingerprint New TLS key fingerprint.
    /// @param roles New role bitmask (non-zero).
    function updateNode(string calldata name, string calldata endpoint, bytes32 tlsFingerprint, uint8 roles)
        external
    {
        NodeRecord storage r = _activeRecord(msg.sender);
        _checkProfile(name, endpoint, roles);
        r.roles = roles;
        _profiles[msg.sender] = NodeProfile({name: name, endpoint: endpoint, tlsFingerprint: tlsFingerprint});
        emit NodeUpdated(msg.sender, name, endpoint, tlsFingerprint, roles);
    }

    /// @notice Adds `amount` to the caller's stake (e.g. to get back above the minimum after a slash).
    /// @param amount Amount of the stake token to pull with transferFrom.
    function addStake(uint128 amount) external nonReentrant {
        NodeRecord storage r = _activeRecord(msg.sender);
        if (amount == 0) revert NodeRegistryZeroAmount();
        uint128 total = r.stake + amount;
        r.stake = total;
        emit StakeAdded(msg.sender, amount, total);
        _stakeToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Starts leaving: the node stops being eligible for new tasks at once, and its
    ///         stake can be withdrawn after {exitDelay} seconds (still slashable until then).
    function requestExit() external {
        NodeRecord storage r = _activeRecord(msg.sender);
        uint40 now_ = uint40(block.timestamp);
        r.exitRequestedAt = now_;
        emit NodeExitRequested(msg.sender, uint256(now_) + _exitDelay);
    }

    /// @notice Completes an exit: returns the remaining stake and deletes the node's record.
    function withdrawStake() external nonReentrant {
        NodeRecord memory r = _records[msg.sender];
        if (!r.registered) revert NodeRegistryNotRegistered(msg.sender);
        if (r.exitRequestedAt == 0) revert NodeRegistryNotExiting(msg.sender);
        uint256 releaseAt = uint256(r.exitRequestedAt) + _exitDelay;
        if (block.timestamp < releaseAt) revert NodeRegistryExitDelayPending(releaseAt);
        delete _records[msg.sender];
        delete _profiles[msg.sender];
        _nodes.remove(msg.sender);
        emit NodeExited(msg.sender, r.stake);
        if (r.stake > 0) _stakeToken.safeTransfer(msg.sender, r.stake);
    }

    /// @notice Burns up to `amount` of `node`'s stake: the tokens stay in this contract for
    ///         good ({burntStake}). Only the bound TaskMarket may call this, for a fault it has
    ///         attributed on-chain.
    /// @param node The faulty node.
    /// @param amount The penalty; capped at the node's remaining stake.
    /// @return slashed The amount actually taken.
    function slash(address node, uint256 amount) external onlyTaskMarket returns (uint256 slashed) {
        NodeRecord storage r = _records[node];
        uint128 stake = r.stake;
        slashed = amount < stake ? amount : stake;
        if (slashed == 0) return 0;
        r.stake = stake - uint128(slashed);
        _burnt += slashed;
        emit NodeSlashed(node, slashed);
    }

    /// @notice Total stake ever slashed: burnt, held here and withdrawable by nobody.
    function burntStake() external view returns (uint256) {
        return _burnt;
    }

    /// @notice True when `node` is registered, not exiting, staked at least {minStake} and
    ///         offers every role bit in `roles` (pass 0 to check only the first three).
    /// @param node The node account.
    /// @param roles Required role bits.
    function isEligible(address node, uint8 roles) external view returns (bool) {
        NodeRecord memory r = _records[node];
        return r.registered && r.exitRequestedAt == 0 && r.stake >= _minStake && (r.roles & roles) == roles;
    }

    /// @notice Everything stored about `node` (all zero when it is not registered).
    /// @param node The node account.
    function getNode(address node) external view returns (NodeInfo memory info) {
        NodeRecord memory r = _records[node];
        NodeProfile storage p = _profiles[node];
        info = NodeInfo({
            registered: r.registered,
            roles: r.roles,
            stake: r.stake,
            exitRequestedAt: r.exitRequestedAt,
            tlsFingerprint: p.tlsFingerprint,
            name: p.name,
            endpoint: p.endpoint
        });
    }

    /// @notice Number of registered nodes (including exiting ones).
    function nodeCount() external view returns (uint256) {
        return _nodes.length();
    }

    /// @notice The `index`-th registered node (order is not stable across exits).
    /// @param index Position in [0, nodeCount()).
    function nodeAt(uint256 index) external view returns (address) {
        return _nodes.at(index);
    }

    /// @notice The ERC-20 stakes are held in.
    function stakeToken() external view returns (IERC20) {
        return _stakeToken;
    }

    /// @notice Minimum stake to register and stay eligible.
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @notice Seconds between requesting exit and withdrawing the stake.
    function exitDelay() external view returns (uint256) {
        return _exitDelay;
    }

    /// @notice The TaskMarket allowed to slash (zero until bound).
    function taskMarket() external view returns (address) {
        return _taskMarket;
    }

    function _activeRecord(address node) private view returns (NodeRecord storage r) {
        r = _records[node];
        if (!r.registered) revert NodeRegistryNotRegistered(node);
        if (r.exitRequestedAt != 0) revert NodeRegistryExiting(node);
    }

    function _checkProfile(string calldata name, string calldata endpoint, uint8 roles) private pure {
        if (roles == 0 || roles & ~Roles.ALL != 0) revert NodeRegistryInvalidRoles(roles);
        if (bytes(name).length == 0 || bytes(endpoint).length == 0) revert NodeRegistryInvalidProfile();
    }
}
