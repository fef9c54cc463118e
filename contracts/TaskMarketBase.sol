// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// The TaskMarket's state and bookkeeping, apart from its transitions (TaskMarket.sol): the
// packed task records, the views, and the internals every transition shares — admitting a
// task's parties and datasets at creation, settling, failing with the fault rules, refunding
// exactly what was escrowed, and burning slashed stake. Split from TaskMarket.sol along that
// seam so each file reads on its own; TaskMarket is the only contract deployed.

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {NodeRegistry} from "./NodeRegistry.sol";
import {DataRegistry} from "./DataRegistry.sol";
import {DataToken} from "./DataToken.sol";
import {Roles} from "./Roles.sol";
import {FaultRules} from "./FaultRules.sol";

/// @title TaskMarketBase
/// @notice Storage, views and shared internals of the TaskMarket.
abstract contract TaskMarketBase {
    using SafeERC20 for IERC20;

    enum TaskStatus {
        None,
        Pending,
        Running,
        Revealing,
        Disputed,
        Settled,
        Refused,
        Failed,
        Expired
    }

    /// @notice Why a party was slashed.
    enum Fault {
        None,
        Silent,
        BlamedByReports,
        BlamedByClaims
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

    /// @dev Slot 0: requester + fee. Slot 1: everything that changes (136 of 256 bits).
    struct Task {
        address requester;
        uint96 fee;
        uint32 deadline;
        TaskStatus status;
        uint8 nCompute;
        uint8 nParties;
        uint8 nDatasets;
        uint8 receiverIndex;
        uint16 accepted;
        uint16 committed;
        uint16 revealed;
        uint16 reported;
    }

    /// @notice A task as returned by {getTask}. `parties[0..nCompute)` are the compute parties
    ///         (in the requester's order), then the data owners that do not compute, then the
    ///         receiver if it is neither; `parties[receiverIndex]` is the receiver.
    struct TaskView {
        address requester;
        address receiver;
        uint96 fee;
        uint32 deadline;
        TaskStatus status;
        uint8 nCompute;
        uint8 receiverIndex;
        uint16 accepted;
        uint16 committed;
        uint16 revealed;
        uint16 reported;
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
    /// @notice Longest refusal reason in bytes (it goes to the log; keep it short).
    uint256 public constant MAX_REASON_BYTES = 160;

    NodeRegistry internal immutable _nodes;
    DataRegistry internal immutable _data;
    IERC20 internal immutable _payment;
    uint96 internal immutable _slashAmount;
    uint32 internal immutable _maxTaskDuration;

    uint256 internal _taskCount;
    mapping(uint256 => Task) internal _tasks;
    /// @dev Per task, per party index: address (low 160 bits) | data payout (high 96 bits).
    mapping(uint256 => mapping(uint256 => uint256)) internal _parties;
    /// @dev Per task, per dataset index: the escrowed data token.
    mapping(uint256 => mapping(uint256 => address)) internal _tokens;
    /// @dev Per task, per compute index: its commitment (kept for {resolve}).
    mapping(uint256 => mapping(uint256 => bytes32)) internal _commitments;
    /// @dev Per task: the pairwise accumulator of revealed claims (CommitReveal.accumulate).
    mapping(uint256 => uint256) internal _pairSum;
    /// @dev Per task: whom each reporter blames (FaultRules.withBlame).
    mapping(uint256 => uint256) internal _blames;

    error TaskMarketZeroAddress();
    error TaskMarketInvalidConfig();
    error TaskMarketNoComputeParties();
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
    error TaskMarketAlreadyRevealed(uint256 taskId, address node);
    error TaskMarketAlreadyReported(uint256 taskId, address node);
    error TaskMarketZeroCommitment();
    error TaskMarketBadOpening(uint256 taskId, address node);
    error TaskMarketBadClaims(uint256 taskId, uint256 expected);
    error TaskMarketBadBlame(uint256 taskId, address blamed);
    error TaskMarketReasonTooLong(uint256 length);
    error TaskMarketParamsMismatch();

    event TaskCreated(uint256 indexed taskId, address indexed requester, TaskSpec spec, address[] parties);
    event TaskParams(uint256 indexed taskId, bytes params);
    event TaskAccepted(uint256 indexed taskId, address indexed node);
    event TaskStarted(uint256 indexed taskId);
    event TaskRefused(uint256 indexed taskId, address indexed node, uint8 code, string reason);
    event TaskCommitted(uint256 indexed taskId, address indexed node, bytes32 commitment);
    event TaskRevealed(uint256 indexed taskId, address indexed node, bytes32[] claims, bytes32 salt);
    event TaskFailureReported(uint256 indexed taskId, address indexed node, uint8 phase, uint8 reason, address blamed);
    event TaskDisputed(uint256 indexed taskId);
    event TaskSettled(
        uint256 indexed taskId, uint256 dataPayout, uint256 computeShare, uint256 refund
    );
    event TaskFailed(uint256 indexed taskId);
    event TaskExpired(uint256 indexed taskId);
    event TaskPartySlashed(uint256 indexed taskId, address indexed node, uint256 amount, Fault fault);

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

    // ---------------------------------------------------------------- views

    /// @notice The stored record of a task (see {TaskView}).
    /// @param taskId The task.
    function getTask(uint256 taskId) external view returns (TaskView memory v) {
        Task memory t = _tasks[taskId];
        if (t.status == TaskStatus.None) revert TaskMarketUnknownTask(taskId);
        v.requester = t.requester;
        v.fee = t.fee;
        v.deadline = t.deadline;
        v.status = t.status;
        v.nCompute = t.nCompute;
        v.receiverIndex = t.receiverIndex;
        v.accepted = t.accepted;
        v.committed = t.committed;
        v.revealed = t.revealed;
        v.reported = t.reported;
        v.parties = new address[](t.nParties);
        v.dataPayouts = new uint96[](t.nParties);
        for (uint256 i = 0; i < t.nParties; ++i) {
            uint256 word = _parties[taskId][i];
            v.parties[i] = address(uint160(word));
            v.dataPayouts[i] = uint96(word >> 160);
        }
        v.receiver = v.parties[t.receiverIndex];
        v.dataTokens = new address[](t.nDatasets);
        for (uint256 j = 0; j < t.nDatasets; ++j) {
            v.dataTokens[j] = _tokens[taskId][j];
        }
    }

    /// @notice The commitment `node` made for a task (zero if none, or not a compute party).
    /// @param taskId The task.
    /// @param node A compute party.
    function commitmentOf(uint256 taskId, address node) external view returns (bytes32) {
        uint256 nCompute = _tasks[taskId].nCompute;
        for (uint256 i = 0; i < nCompute; ++i) {
            if (_addressAt(taskId, i) == node) return _commitments[taskId][i];
        }
        return bytes32(0);
    }

    /// @notice Party index (+1) each reporter of a task blamed, 8 bits per reporter index.
    /// @param taskId The task.
    function blamesOf(uint256 taskId) external view returns (uint256) {
        return _blames[taskId];
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

    // ---------------------------------------------------------------- shared internals

    function _create(TaskSpec calldata spec) internal returns (uint256 taskId) {
        uint256 nCompute = spec.computeParties.length;
        uint256 nDatasets = spec.datasetIds.length;
        if (nCompute == 0) revert TaskMarketNoComputeParties();
        if (nCompute > MAX_PARTIES) revert TaskMarketTooManyParties(nCompute);
        // No dataset is fine: a key ceremony computes on what its parties hold themselves.
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
        uint256 receiverIndex = 0;
        while (receiverIndex < nParties && parties[receiverIndex] != spec.receiver) ++receiverIndex;
        if (receiverIndex == nParties) {
            if (nParties == MAX_PARTIES) revert TaskMarketTooManyParties(nParties + 1);
            parties[nParties++] = spec.receiver;
        }

        taskId = ++_taskCount;
        _tasks[taskId] = Task({
            requester: msg.sender,
            fee: spec.fee,
            deadline: uint32(spec.deadline),
            status: TaskStatus.Pending,
            nCompute: uint8(nCompute),
            nParties: uint8(nParties),
            nDatasets: uint8(nDatasets),
            receiverIndex: uint8(receiverIndex),
            accepted: 0,
            committed: 0,
            revealed: 0,
            reported: 0
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

    function _admitComputeParties(address[] calldata compute, address[] memory parties) internal view {
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
    ) internal view returns (address[] memory tokens, uint256, uint256 prices) {
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
        internal
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
    function _settle(uint256 taskId, Task storage t) internal {
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
        emit TaskSettled(taskId, dataPayout, share, rest);
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

    /// @dev Every compute party committed or reported, and some reported: the task cannot
    ///      settle. Refund; slash each party blamed by a majority of the compute parties.
    function _fail(uint256 taskId, Task storage t) internal {
        t.status = TaskStatus.Failed;
        emit TaskFailed(taskId);
        uint256 blames = _blames[taskId];
        if (blames != 0) {
            uint256 nParties = t.nParties;
            uint256 nCompute = t.nCompute;
            uint256 reported = t.reported;
            for (uint256 i = 0; i < nParties; ++i) {
                if (FaultRules.blamedByReports(blames, reported, nCompute, i)) _slash(taskId, i, Fault.BlamedByReports);
            }
        }
        _refund(taskId, t);
    }

    /// @dev Returns exactly what the requester escrowed: the fee and one token per dataset.
    function _refund(uint256 taskId, Task storage t) internal {
        address requester = t.requester;
        uint256 fee = t.fee;
        if (fee > 0) _payment.safeTransfer(requester, fee);
        uint256 nDatasets = t.nDatasets;
        for (uint256 j = 0; j < nDatasets; ++j) {
            IERC20(_tokens[taskId][j]).safeTransfer(requester, DATA_TOKEN_UNIT);
        }
    }

    /// @dev Burns up to slashAmount of the party's stake (it stays locked in the registry).
    function _slash(uint256 taskId, uint256 index, Fault fault) internal {
        if (_slashAmount == 0) return;
        address node = _addressAt(taskId, index);
        uint256 amount = _nodes.slash(node, _slashAmount);
        emit TaskPartySlashed(taskId, node, amount, fault);
    }

    function _addressAt(uint256 taskId, uint256 index) internal view returns (address) {
        return address(uint160(_parties[taskId][index]));
    }

    function _partyIndex(uint256 taskId, uint256 nParties, address node) internal view returns (uint256) {
        for (uint256 i = 0; i < nParties; ++i) {
            if (_addressAt(taskId, i) == node) return i;
        }
        revert TaskMarketNotParty(taskId, node);
    }

    function _computeIndex(uint256 taskId, uint256 nCompute, address node) internal view returns (uint256) {
        for (uint256 i = 0; i < nCompute; ++i) {
            if (_addressAt(taskId, i) == node) return i;
        }
        revert TaskMarketNotComputeParty(taskId, node);
    }

    function _requireEligible(address node, uint8 roles) internal view {
        if (!_nodes.isEligible(node, roles)) revert TaskMarketNodeNotEligible(node, roles);
    }

    function _requireStatus(uint256 taskId, TaskStatus status, TaskStatus expected) internal pure {
        if (status == TaskStatus.None) revert TaskMarketUnknownTask(taskId);
        if (status != expected) revert TaskMarketWrongStatus(taskId, status);
    }

    function _fullMask(uint256 n) internal pure returns (uint16) {
        return uint16((1 << n) - 1);
    }
}
