// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Consent, escrow and settlement of one computation, after PlatON Metis/Datum's prepay-and-
// settle and Ocean's compute-to-data. The requester escrows the fee and one data token per
// dataset; every involved node (each dataset owner and each compute party) accepts; compute
// parties commit to the result; matching commitments settle the task (data owners get their
// price, compute parties split the rest), anything else refunds the requester in full and
// slashes the nodes that provably failed. See docs/contracts.md for the state machine.
//
// Gas: a task is written once at creation into a few packed slots (two for the task, one
// per involved node holding address + data payout, one per dataset holding its token) and
// afterwards only one word (status + accept/commit bitmaps) changes per accept or commit. Only
// the first commitment is stored; one that differs is stored beside it and moves the task to
// Disputed, so the happy path never compares more than one word. The last commitment settles
// (or fails) the task in the same transaction: no separate settle transaction, no second
// round of cold reads. Loops run over a task's own parties (at most 16), never global state.

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {NodeRegistry} from "./NodeRegistry.sol";
import {DataRegistry} from "./DataRegistry.sol";
import {DataToken} from "./DataToken.sol";
import {Roles} from "./Roles.sol";

/// @title TaskMarket
/// @notice Escrow, consent, result commitments and settlement of Tacit computations.
contract TaskMarket is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    enum TaskStatus {
        None,
        Pending,
        Running,
        Disputed,
        Settled,
        Refused,
        Failed,
        Expired
    }

    /// @notice What a requester asks for.
    struct TaskSpec {
        bytes32 algorithmId;
        bytes32 codeHash;
        bytes32 paramsHash;
        uint256[] datasetIds;
        address[] computeParties;
        address receiver;
        uint96 fee;
        uint64 deadline;
    }

    /// @dev Slot 0: requester + fee. Slot 1: everything that changes, so each accept/commit
    ///      rewrites exactly one warm word.
    struct Task {
        address requester;
        uint96 fee;
        address receiver;
        uint32 deadline;
        TaskStatus status;
        uint8 nCompute;
        uint8 nParties;
        uint8 nDatasets;
        uint16 accepted;
        uint16 committed;
    }

    /// @notice A task as returned by {getTask}. `parties[0..nCompute)` are the compute parties
    ///         (in the requester's order), the rest are data owners that do not also compute.
    struct TaskView {
        address requester;
        address receiver;
        uint96 fee;
        uint32 deadline;
        TaskStatus status;
        uint8 nCompute;
        uint16 accepted;
        uint16 committed;
        bytes32 firstCommitment;
        address[] parties;
        uint96[] dataPayouts;
        address[] dataTokens;
    }

    /// @notice Units of a data token escrowed per dataset: one use.
    uint256 public constant DATA_TOKEN_UNIT = 1e18;
    /// @notice Most involved nodes per task (bitmaps are 16 bits wide).
    uint256 public constant MAX_PARTIES = 16;
    /// @notice Most datasets per task.
    uint256 public constant MAX_DATASETS = 16;

    NodeRegistry private immutable _nodes;
    DataRegistry private immutable _data;
    IERC20 private immutable _payment;
    uint96 private immutable _slashAmount;
    uint32 private immutable _maxTaskDuration;

    uint256 private _taskCount;
    mapping(uint256 => Task) private _tasks;
    /// @dev The first commitment received for a task.
    mapping(uint256 => bytes32) private _firstCommitment;
    /// @dev Per task, per party index: address (low 160 bits) | data payout (high 96 bits).
    mapping(uint256 => mapping(uint256 => uint256)) private _parties;
    /// @dev Per task, per dataset index: the escrowed data token.
    mapping(uint256 => mapping(uint256 => address)) private _tokens;
    /// @dev Per task, per compute index: a commitment that differs from the first one.
    mapping(uint256 => mapping(uint256 => bytes32)) private _dissents;

    error TaskMarketZeroAddress();
    error TaskMarketInvalidConfig();
    error TaskMarketNoComputeParties();
    error TaskMarketNoDatasets();
    error TaskMarketTooManyParties(uint256 count);
    error TaskMarketTooManyDatasets(uint256 count);
    error TaskMarketDuplicateParty(address node);
    error TaskMarketDuplicateDataset(uint256 datasetId);
    error TaskMarketBadDeadline(uint64 deadline);
    error TaskMarketNodeNotEligible(address node, uint8 roles);
    error TaskMarketDatasetUnavailable(uint256 datasetId, DataRegistry.DatasetStatus status);
    error TaskMarketAlgorithmNotAllowed(uint256 datasetId, bytes32 algorithmId);
    error TaskMarketFeeBelowPrices(uint256 fee, uint256 prices);
    error TaskMarketUnknownTask(uint256 taskId);
    error TaskMarketWrongStatus(uint256 taskId, TaskStatus status);
    error TaskMarketDeadlinePassed(uint256 taskId, uint256 deadline);
    error TaskMarketNotExpired(uint256 taskId, uint256 deadline);
    error TaskMarketNotParty(uint256 taskId, address caller);
    error TaskMarketNotComputeParty(uint256 taskId, address caller);
    error TaskMarketAlreadyAccepted(uint256 taskId, address node);
    error TaskMarketAlreadyCommitted(uint256 taskId, address node);
    error TaskMarketZeroCommitment();
    error TaskMarketParamsMismatch();

    event TaskCreated(uint256 indexed taskId, address indexed requester, TaskSpec spec, address[] parties);
    event TaskParams(uint256 indexed taskId, bytes params);
    event TaskAccepted(uint256 indexed taskId, address indexed node);
    event TaskStarted(uint256 indexed taskId);
    event TaskRefused(uint256 indexed taskId, address indexed node);
    event TaskCommitted(uint256 indexed taskId, address indexed node, bytes32 commitment);
    event TaskDisputed(uint256 indexed taskId, address indexed node);
    event TaskSettled(
        uint256 indexed taskId, bytes32 result, uint256 dataPayout, uint256 computeShare, uint256 refund
    );
    event TaskFailed(uint256 indexed taskId, bytes32 majority);
    event TaskExpired(uint256 indexed taskId);
    event TaskPartySlashed(uint256 indexed taskId, address indexed node, uint256 amount);

    /// @param nodes_ The NodeRegistry (its stake token is the payment token); it must be bound
    ///        to this market afterwards with `bindTaskMarket`.
    /// @param data_ The DataRegistry (must trust the same NodeRegistry).
    /// @param slashAmount_ Penalty per proven fault, in payment-token units (capped at the stake).
    /// @param maxTaskDuration_ Longest allowed `deadline - now` at creation; must be shorter
    ///        than the registry's exit delay so faults are slashable before a stake leaves.
    constructor(NodeRegistry nodes_, DataRegistry data_, uint96 slashAmount_, uint32 maxTaskDuration_) {
        if (address(nodes_) == address(0) || address(data_) == address(0)) revert TaskMarketZeroAddress();
        if (address(data_.nodeRegistry()) != address(nodes_)) revert TaskMarketInvalidConfig();
        if (maxTaskDuration_ == 0 || maxTaskDuration_ >= nodes_.exitDelay()) revert TaskMarketInvalidConfig();
        _nodes = nodes_;
        _data = data_;
        _payment = nodes_.stakeToken();
        _slashAmount = slashAmount_;
        _maxTaskDuration = maxTaskDuration_;
    }

    // ---------------------------------------------------------------- transitions

    /// @notice Creates a task and escrows `spec.fee` of the payment token and one data token
    ///         per dataset from the caller (approve this contract first).
    /// @dev Snapshots each dataset's price: the data owners are paid what was offered here.
    /// @param spec Algorithm id/code hash/params hash, dataset ids, compute parties, result
    ///        receiver (a node with ROLE_RECEIVER), fee (>= sum of dataset prices) and deadline
    ///        (unix seconds, within maxTaskDuration from now).
    /// @return taskId The new task's id (from 1).
    function createTask(TaskSpec calldata spec) external nonReentrant returns (uint256 taskId) {
        taskId = _create(spec);
    }

    /// @notice {createTask}, publishing the task's public parameters in the same transaction
    ///         so that every involved node reads them from the chain (event {TaskParams}).
    /// @dev `params` is checked against `spec.paramsHash` (keccak256) and kept only in the log.
    /// @param spec As for {createTask}.
    /// @param params The parameters whose keccak256 is `spec.paramsHash` (public: no data, no keys).
    /// @return taskId The new task's id.
    function createTaskWithParams(TaskSpec calldata spec, bytes calldata params)
        external
        nonReentrant
        returns (uint256 taskId)
    {
        if (keccak256(params) != spec.paramsHash) revert TaskMarketParamsMismatch();
        taskId = _create(spec);
        emit TaskParams(taskId, params);
    }

    function _create(TaskSpec calldata spec) private returns (uint256 taskId) {
        uint256 nCompute = spec.computeParties.length;
        uint256 nDatasets = spec.datasetIds.length;
        if (nCompute == 0) revert TaskMarketNoComputeParties();
        if (nCompute > MAX_PARTIES) revert TaskMarketTooManyParties(nCompute);
        if (nDatasets == 0) revert TaskMarketNoDatasets();
        if (nDatasets > MAX_DATASETS) revert TaskMarketTooManyDatasets(nDatasets);
        if (spec.deadline <= block.timestamp || spec.deadline > block.timestamp + _maxTaskDuration) {
            revert TaskMarketBadDeadline(spec.deadline);
        }
        _requireEligible(spec.receiver, Roles.RECEIVER);

        address[] memory parties = new address[](MAX_PARTIES);
        uint256[] memory payouts = new uint256[](MAX_PARTIES);
        _admitComputeParties(spec.computeParties, parties);
        (address[] memory tokens, uint256 nParties, uint256 prices) =
            _admitDatasets(spec.datasetIds, spec.algorithmId, parties, payouts, nCompute);
        if (prices > spec.fee) revert TaskMarketFeeBelowPrices(spec.fee, prices);

        taskId = ++_taskCount;
        _tasks[taskId] = Task({
            requester: msg.sender,
            fee: spec.fee,
            receiver: spec.receiver,
            deadline: uint32(spec.deadline),
            status: TaskStatus.Pending,
            nCompute: uint8(nCompute),
            nParties: uint8(nParties),
            nDatasets: uint8(nDatasets),
            accepted: 0,
            committed: 0
        });
        for (uint256 i = 0; i < nParties; ++i) {
            _parties[taskId][i] = uint256(uint160(parties[i])) | (payouts[i] << 160);
        }
        for (uint256 j = 0; j < nDatasets; ++j) {
            _tokens[taskId][j] = tokens[j];
        }
        assembly ("memory-safe") {
            mstore(parties, nParties)
        }
        emit TaskCreated(taskId, msg.sender, spec, parties);

        if (spec.fee > 0) _payment.safeTransferFrom(msg.sender, address(this), spec.fee);
        for (uint256 j = 0; j < nDatasets; ++j) {
            IERC20(tokens[j]).safeTransferFrom(msg.sender, address(this), DATA_TOKEN_UNIT);
        }
    }

    /// @notice The caller (an involved node) consents to the task. When every involved node has
    ///         accepted, the task starts running.
    /// @param taskId The task (must be Pending and not past its deadline).
    function accept(uint256 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, TaskStatus.Pending);
        if (block.timestamp > t.deadline) revert TaskMarketDeadlinePassed(taskId, t.deadline);
        uint256 nParties = t.nParties;
        uint16 bit = uint16(1 << _partyIndex(taskId, nParties, msg.sender));
        uint16 accepted = t.accepted;
        if (accepted & bit != 0) revert TaskMarketAlreadyAccepted(taskId, msg.sender);
        _requireEligible(msg.sender, 0);
        accepted |= bit;
        t.accepted = accepted;
        emit TaskAccepted(taskId, msg.sender);
        if (accepted == _fullMask(nParties)) {
            t.status = TaskStatus.Running;
            emit TaskStarted(taskId);
        }
    }

    /// @notice The caller (an involved node that has not accepted yet) declines its part. The
    ///         task ends and the requester gets the fee and data tokens back. Nobody is slashed.
    /// @param taskId The task (must be Pending).
    function refuse(uint256 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, TaskStatus.Pending);
        uint16 bit = uint16(1 << _partyIndex(taskId, t.nParties, msg.sender));
        if (t.accepted & bit != 0) revert TaskMarketAlreadyAccepted(taskId, msg.sender);
        t.status = TaskStatus.Refused;
        emit TaskRefused(taskId, msg.sender);
        _refund(taskId, t);
    }

    /// @notice A compute party commits to the result (e.g. a hash of result and salt agreed
    ///         off-chain). The last commitment settles the task when all agree, or fails it
    ///         (refund + slashing of the minority) when they do not.
    /// @param taskId The task (Running or Disputed, not past its deadline).
    /// @param commitment Non-zero result commitment.
    function commit(uint256 taskId, bytes32 commitment) external nonReentrant {
        Task storage t = _tasks[taskId];
        TaskStatus status = t.status;
        if (status != TaskStatus.Running && status != TaskStatus.Disputed) {
            _requireStatus(taskId, status, TaskStatus.Running);
        }
        if (block.timestamp > t.deadline) revert TaskMarketDeadlinePassed(taskId, t.deadline);
        if (commitment == bytes32(0)) revert TaskMarketZeroCommitment();
        uint256 nCompute = t.nCompute;
        uint256 i = _computeIndex(taskId, nCompute, msg.sender);
        uint16 bit = uint16(1 << i);
        uint16 committed = t.committed;
        if (committed & bit != 0) revert TaskMarketAlreadyCommitted(taskId, msg.sender);
        committed |= bit;
        t.committed = committed;

        bytes32 first = _firstCommitment[taskId];
        if (first == bytes32(0)) {
            _firstCommitment[taskId] = commitment;
        } else if (first != commitment) {
            _dissents[taskId][i] = commitment;
            if (status == TaskStatus.Running) {
                status = TaskStatus.Disputed;
                t.status = status;
                emit TaskDisputed(taskId, msg.sender);
            }
        }
        emit TaskCommitted(taskId, msg.sender, commitment);

        if (committed == _fullMask(nCompute)) {
            if (status == TaskStatus.Running) _settle(taskId, t, commitment);
            else _fail(taskId, t, nCompute);
        }
    }

    /// @notice Ends a task that is past its deadline: the requester gets everything back, and
    ///         if the task was running, every compute party that has not committed is slashed
    ///         (to the requester). Anyone may call it.
    /// @param taskId The task (Pending, Running or Disputed, and past its deadline).
    function expire(uint256 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        TaskStatus status = t.status;
        if (status != TaskStatus.Pending && status != TaskStatus.Running && status != TaskStatus.Disputed) {
            _requireStatus(taskId, status, TaskStatus.Pending);
        }
        if (block.timestamp <= t.deadline) revert TaskMarketNotExpired(taskId, t.deadline);
        t.status = TaskStatus.Expired;
        emit TaskExpired(taskId);
        if (status != TaskStatus.Pending) {
            uint256 nCompute = t.nCompute;
            uint16 committed = t.committed;
            address requester = t.requester;
            for (uint256 i = 0; i < nCompute; ++i) {
                if (committed & (1 << i) == 0) _slash(taskId, i, requester);
            }
        }
        _refund(taskId, t);
    }

    // ---------------------------------------------------------------- views

    /// @notice The stored record of a task (see {TaskView}).
    /// @param taskId The task.
    function getTask(uint256 taskId) external view returns (TaskView memory v) {
        Task memory t = _tasks[taskId];
        if (t.status == TaskStatus.None) revert TaskMarketUnknownTask(taskId);
        v.requester = t.requester;
        v.receiver = t.receiver;
        v.fee = t.fee;
        v.deadline = t.deadline;
        v.status = t.status;
        v.nCompute = t.nCompute;
        v.accepted = t.accepted;
        v.committed = t.committed;
        v.firstCommitment = _firstCommitment[taskId];
        v.parties = new address[](t.nParties);
        v.dataPayouts = new uint96[](t.nParties);
        for (uint256 i = 0; i < t.nParties; ++i) {
            uint256 word = _parties[taskId][i];
            v.parties[i] = address(uint160(word));
            v.dataPayouts[i] = uint96(word >> 160);
        }
        v.dataTokens = new address[](t.nDatasets);
        for (uint256 j = 0; j < t.nDatasets; ++j) {
            v.dataTokens[j] = _tokens[taskId][j];
        }
    }

    /// @notice The commitment `node` made for a task (zero if none, or not a compute party).
    /// @param taskId The task.
    /// @param node A compute party.
    function commitmentOf(uint256 taskId, address node) external view returns (bytes32) {
        Task memory t = _tasks[taskId];
        for (uint256 i = 0; i < t.nCompute; ++i) {
            if (address(uint160(_parties[taskId][i])) != node) continue;
            if (t.committed & (1 << i) == 0) return bytes32(0);
            bytes32 d = _dissents[taskId][i];
            return d != bytes32(0) ? d : _firstCommitment[taskId];
        }
        return bytes32(0);
    }

    /// @notice Number of tasks ever created (ids run from 1 to this).
    function taskCount() external view returns (uint256) {
        return _taskCount;
    }

    /// @notice The NodeRegistry.
    function nodeRegistry() external view returns (NodeRegistry) {
        return _nodes;
    }

    /// @notice The DataRegistry.
    function dataRegistry() external view returns (DataRegistry) {
        return _data;
    }

    /// @notice The ERC-20 fees are paid in (the NodeRegistry's stake token).
    function paymentToken() external view returns (IERC20) {
        return _payment;
    }

    /// @notice Penalty per proven fault.
    function slashAmount() external view returns (uint256) {
        return _slashAmount;
    }

    /// @notice Longest allowed task duration in seconds.
    function maxTaskDuration() external view returns (uint256) {
        return _maxTaskDuration;
    }

    // ---------------------------------------------------------------- internals

    function _admitComputeParties(address[] calldata compute, address[] memory parties) private view {
        for (uint256 i = 0; i < compute.length; ++i) {
            address node = compute[i];
            for (uint256 k = 0; k < i; ++k) {
                if (parties[k] == node) revert TaskMarketDuplicateParty(node);
            }
            _requireEligible(node, Roles.COMPUTE);
            parties[i] = node;
        }
    }

    /// @dev Checks each dataset, adds its owner to `parties` (once) with the price as payout.
    function _admitDatasets(
        uint256[] calldata ids,
        bytes32 algorithmId,
        address[] memory parties,
        uint256[] memory payouts,
        uint256 nParties
    ) private view returns (address[] memory tokens, uint256, uint256 prices) {
        tokens = new address[](ids.length);
        for (uint256 j = 0; j < ids.length; ++j) {
            uint256 id = ids[j];
            for (uint256 k = 0; k < j; ++k) {
                if (ids[k] == id) revert TaskMarketDuplicateDataset(id);
            }
            address owner;
            uint96 price;
            (owner, tokens[j], price) = _usableDataset(id, algorithmId);
            uint256 at = 0;
            while (at < nParties && parties[at] != owner) ++at;
            if (at == nParties) {
                if (nParties == MAX_PARTIES) revert TaskMarketTooManyParties(nParties + 1);
                parties[at] = owner;
                ++nParties;
            }
            payouts[at] += price;
            prices += price;
        }
        return (tokens, nParties, prices);
    }

    /// @dev The dataset's owner, token and price, if it is active, allows the algorithm and its
    ///      owner is an eligible data node.
    function _usableDataset(uint256 id, bytes32 algorithmId)
        private
        view
        returns (address owner, address token, uint96 price)
    {
        DataRegistry.DatasetStatus status;
        bool allowed;
        (owner, token, price, status, allowed) = _data.useTerms(id, algorithmId);
        if (status != DataRegistry.DatasetStatus.Active) revert TaskMarketDatasetUnavailable(id, status);
        if (!allowed) revert TaskMarketAlgorithmNotAllowed(id, algorithmId);
        _requireEligible(owner, Roles.DATA);
    }

    /// @dev Pays data owners their snapshotted prices and the compute parties equal shares of
    ///      the rest; the division remainder goes back to the requester; data tokens are burnt.
    function _settle(uint256 taskId, Task storage t, bytes32 result) private {
        t.status = TaskStatus.Settled;
        uint256 nParties = t.nParties;
        uint256 nCompute = t.nCompute;
        address[] memory to = new address[](nParties);
        uint256[] memory amounts = new uint256[](nParties);
        uint256 dataPayout = 0;
        for (uint256 i = 0; i < nParties; ++i) {
            uint256 word = _parties[taskId][i];
            to[i] = address(uint160(word));
            amounts[i] = word >> 160;
            dataPayout += word >> 160;
        }
        uint256 pool = t.fee - dataPayout;
        uint256 share = pool / nCompute;
        uint256 rest = pool - share * nCompute;
        emit TaskSettled(taskId, result, dataPayout, share, rest);
        for (uint256 i = 0; i < nParties; ++i) {
            uint256 amount = i < nCompute ? amounts[i] + share : amounts[i];
            if (amount > 0) _payment.safeTransfer(to[i], amount);
        }
        if (rest > 0) _payment.safeTransfer(t.requester, rest);
        uint256 nDatasets = t.nDatasets;
        for (uint256 j = 0; j < nDatasets; ++j) {
            DataToken(_tokens[taskId][j]).burn(DATA_TOKEN_UNIT);
        }
    }

    /// @dev All commitments are in but they differ: refund, and slash those who disagree with a
    ///      strict majority. Without a strict majority (e.g. a 1-1 tie) nobody is slashed.
    function _fail(uint256 taskId, Task storage t, uint256 nCompute) private {
        t.status = TaskStatus.Failed;
        bytes32 first = _firstCommitment[taskId];
        bytes32[] memory c = new bytes32[](nCompute);
        for (uint256 i = 0; i < nCompute; ++i) {
            bytes32 d = _dissents[taskId][i];
            c[i] = d == bytes32(0) ? first : d;
        }
        bytes32 majority = _majority(c);
        emit TaskFailed(taskId, majority);
        if (majority != bytes32(0)) {
            address requester = t.requester;
            for (uint256 i = 0; i < nCompute; ++i) {
                if (c[i] != majority) _slash(taskId, i, requester);
            }
        }
        _refund(taskId, t);
    }

    function _refund(uint256 taskId, Task storage t) private {
        address requester = t.requester;
        uint256 fee = t.fee;
        if (fee > 0) _payment.safeTransfer(requester, fee);
        uint256 nDatasets = t.nDatasets;
        for (uint256 j = 0; j < nDatasets; ++j) {
            IERC20(_tokens[taskId][j]).safeTransfer(requester, DATA_TOKEN_UNIT);
        }
    }

    function _slash(uint256 taskId, uint256 index, address beneficiary) private {
        if (_slashAmount == 0) return;
        address node = address(uint160(_parties[taskId][index]));
        uint256 amount = _nodes.slash(node, _slashAmount, beneficiary);
        emit TaskPartySlashed(taskId, node, amount);
    }

    function _majority(bytes32[] memory c) private pure returns (bytes32) {
        uint256 n = c.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 count = 0;
            for (uint256 k = 0; k < n; ++k) {
                if (c[k] == c[i]) ++count;
            }
            if (count * 2 > n) return c[i];
        }
        return bytes32(0);
    }

    function _partyIndex(uint256 taskId, uint256 nParties, address node) private view returns (uint256) {
        for (uint256 i = 0; i < nParties; ++i) {
            if (address(uint160(_parties[taskId][i])) == node) return i;
        }
        revert TaskMarketNotParty(taskId, node);
    }

    function _computeIndex(uint256 taskId, uint256 nCompute, address node) private view returns (uint256) {
        for (uint256 i = 0; i < nCompute; ++i) {
            if (address(uint160(_parties[taskId][i])) == node) return i;
        }
        revert TaskMarketNotComputeParty(taskId, node);
    }

    function _requireEligible(address node, uint8 roles) private view {
        if (!_nodes.isEligible(node, roles)) revert TaskMarketNodeNotEligible(node, roles);
    }

    function _requireStatus(uint256 taskId, TaskStatus status, TaskStatus expected) private pure {
        if (status == TaskStatus.None) revert TaskMarketUnknownTask(taskId);
        if (status != expected) revert TaskMarketWrongStatus(taskId, status);
    }

    function _fullMask(uint256 n) private pure returns (uint16) {
        return uint16((1 << n) - 1);
    }
}
