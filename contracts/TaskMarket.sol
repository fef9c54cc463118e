// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Consent, escrow and settlement of one computation, after PlatON Metis/Datum's prepay-and-
// settle and Ocean's compute-to-data. The requester escrows the fee and one data token per
// dataset; every involved node — each compute party, each dataset owner AND the receiver —
// accepts or refuses (with a reason, full refund). Once all have accepted, each compute party
// either commits to what it saw of the session (a salted commitment, CommitReveal.sol) or
// reports the failure it saw, naming the peer it blames. When all have committed they reveal;
// equal link digests settle the task (data owners get their price, compute parties split the
// rest), anything else ends it with a full refund to the requester — never more — and slashes
// only faults the chain can attribute (FaultRules.sol): silence past the deadline, blame by a
// majority of the compute parties, or digests that disagree with a consistent majority.
// Slashed stake is burnt (locked for good in the NodeRegistry): neither the requester nor the
// other parties gain from a failure, so nobody profits from provoking or alleging one.
// See docs/contracts.md for the state machine.
//
// Gas: a task is written once at creation into a few packed slots (two for the task, one
// per involved node holding address + data payout, one per dataset holding its token);
// afterwards each accept/commit/reveal rewrites the one status word and its own slot. The
// reveals are tested with one accumulator word (CommitReveal.accumulate); the last reveal
// settles in the same transaction. Loops run over a task's own parties (at most 16).

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {NodeRegistry} from "./NodeRegistry.sol";
import {DataRegistry} from "./DataRegistry.sol";
import {DataToken} from "./DataToken.sol";
import {Roles} from "./Roles.sol";
import {CommitReveal} from "./CommitReveal.sol";
import {FaultRules} from "./FaultRules.sol";

/// @title TaskMarket
/// @notice Escrow, consent, commit–reveal of results, failure reports and settlement.
contract TaskMarket is ReentrancyGuardTransient {
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

    NodeRegistry private immutable _nodes;
    DataRegistry private immutable _data;
    IERC20 private immutable _payment;
    uint96 private immutable _slashAmount;
    uint32 private immutable _maxTaskDuration;

    uint256 private _taskCount;
    mapping(uint256 => Task) private _tasks;
    /// @dev Per task, per party index: address (low 160 bits) | data payout (high 96 bits).
    mapping(uint256 => mapping(uint256 => uint256)) private _parties;
    /// @dev Per task, per dataset index: the escrowed data token.
    mapping(uint256 => mapping(uint256 => address)) private _tokens;
    /// @dev Per task, per compute index: its commitment (kept for {resolve}).
    mapping(uint256 => mapping(uint256 => bytes32)) private _commitments;
    /// @dev Per task: the pairwise accumulator of revealed claims (CommitReveal.accumulate).
    mapping(uint256 => uint256) private _pairSum;
    /// @dev Per task: whom each reporter blames (FaultRules.withBlame).
    mapping(uint256 => uint256) private _blames;

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

    // ---------------------------------------------------------------- creation and consent

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

    /// @notice The caller (an involved node, the receiver included) consents to the task.
    ///         When every involved node has accepted, the task starts running.
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

    /// @notice The caller (an involved node that has not accepted yet) declines, saying why.
    ///         The task ends and the requester gets the fee and data tokens back. Nobody is
    ///         slashed.
    /// @param taskId The task (must be Pending).
    /// @param code A machine-readable reason (see docs/contracts.md; 0 = other).
    /// @param reason A short human-readable reason (at most MAX_REASON_BYTES; never data).
    function refuse(uint256 taskId, uint8 code, string calldata reason) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, TaskStatus.Pending);
        if (bytes(reason).length > MAX_REASON_BYTES) revert TaskMarketReasonTooLong(bytes(reason).length);
        uint16 bit = uint16(1 << _partyIndex(taskId, t.nParties, msg.sender));
        if (t.accepted & bit != 0) revert TaskMarketAlreadyAccepted(taskId, msg.sender);
        t.status = TaskStatus.Refused;
        emit TaskRefused(taskId, msg.sender, code, reason);
        _refund(taskId, t);
    }

    // ---------------------------------------------------------------- outcome of the session

    /// @notice A compute party commits to what it saw of the session:
    ///         `CommitReveal.commitment(taskId, caller, claims, salt)`. When all have
    ///         committed the task moves to Revealing.
    /// @param taskId The task (Running, not past its deadline).
    /// @param commitment The non-zero commitment.
    function commit(uint256 taskId, bytes32 commitment) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, TaskStatus.Running);
        if (block.timestamp > t.deadline) revert TaskMarketDeadlinePassed(taskId, t.deadline);
        if (commitment == bytes32(0)) revert TaskMarketZeroCommitment();
        uint256 nCompute = t.nCompute;
        uint256 i = _computeIndex(taskId, nCompute, msg.sender);
        uint16 bit = uint16(1 << i);
        uint16 committed = t.committed;
        if (committed & bit != 0) revert TaskMarketAlreadyCommitted(taskId, msg.sender);
        if (t.reported & bit != 0) revert TaskMarketAlreadyReported(taskId, msg.sender);
        committed |= bit;
        t.committed = committed;
        _commitments[taskId][i] = commitment;
        emit TaskCommitted(taskId, msg.sender, commitment);
        uint16 full = _fullMask(nCompute);
        if (committed == full) t.status = TaskStatus.Revealing;
        else if ((committed | t.reported) & full == full) _fail(taskId, t);
    }

    /// @notice A party of a running task reports that the session failed, naming the party it
    ///         blames (zero if it cannot tell, e.g. it only saw another party's abort). A
    ///         compute party reports instead of committing; when every compute party has
    ///         committed or reported, the task fails at once (refund, blame rule applied).
    /// @param taskId The task (Running, not past its deadline).
    /// @param phase Where it failed: 1 connect, 2 compute, 3 deliver (informational).
    /// @param reason What was seen: 1 disconnected, 2 timeout, 3 malformed/desync, 4 auth,
    ///        5 aborted by a peer, 6 local error (informational).
    /// @param blamed A party of the task other than the caller, or zero.
    function reportFailure(uint256 taskId, uint8 phase, uint8 reason, address blamed) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, TaskStatus.Running);
        if (block.timestamp > t.deadline) revert TaskMarketDeadlinePassed(taskId, t.deadline);
        uint256 nParties = t.nParties;
        uint256 r = _partyIndex(taskId, nParties, msg.sender);
        uint16 bit = uint16(1 << r);
        if (t.reported & bit != 0) revert TaskMarketAlreadyReported(taskId, msg.sender);
        if (t.committed & bit != 0) revert TaskMarketAlreadyCommitted(taskId, msg.sender);
        if (blamed != address(0)) {
            uint256 b = _partyIndex(taskId, nParties, blamed);
            if (b == r) revert TaskMarketBadBlame(taskId, blamed);
            _blames[taskId] = FaultRules.withBlame(_blames[taskId], r, b + 1);
        }
        uint16 reported = t.reported | bit;
        t.reported = reported;
        emit TaskFailureReported(taskId, msg.sender, phase, reason, blamed);
        uint16 full = _fullMask(t.nCompute);
        if ((t.committed | reported) & full == full) _fail(taskId, t);
    }

    /// @notice A compute party opens its commitment. The last reveal settles the task if all
    ///         link digests agree, or moves it to Disputed (see {resolve}) if not.
    /// @param taskId The task (Revealing, not past its deadline).
    /// @param claims The committed link digests (one per other compute party, in order).
    /// @param salt The committed salt.
    function reveal(uint256 taskId, bytes32[] calldata claims, bytes32 salt) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, TaskStatus.Revealing);
        if (block.timestamp > t.deadline) revert TaskMarketDeadlinePassed(taskId, t.deadline);
        uint256 nCompute = t.nCompute;
        uint256 i = _computeIndex(taskId, nCompute, msg.sender);
        uint16 bit = uint16(1 << i);
        uint16 revealed = t.revealed;
        if (revealed & bit != 0) revert TaskMarketAlreadyRevealed(taskId, msg.sender);
        if (claims.length + 1 != nCompute) revert TaskMarketBadClaims(taskId, nCompute - 1);
        if (CommitReveal.commitment(taskId, msg.sender, claims, salt) != _commitments[taskId][i]) {
            revert TaskMarketBadOpening(taskId, msg.sender);
        }
        revealed |= bit;
        t.revealed = revealed;
        uint256 sum = CommitReveal.accumulate(_pairSum[taskId], i, claims);
        emit TaskRevealed(taskId, msg.sender, claims, salt);
        if (revealed != _fullMask(nCompute)) {
            _pairSum[taskId] = sum;
        } else if (sum == 0) {
            if (_pairSum[taskId] != 0) _pairSum[taskId] = 0;
            _settle(taskId, t);
        } else {
            t.status = TaskStatus.Disputed;
            emit TaskDisputed(taskId);
        }
    }

    /// @notice Ends a Disputed task: given every compute party's revealed opening (from the
    ///         {TaskRevealed} events), slashes each party whose claims disagree with a
    ///         consistent majority (FaultRules rule 3) and refunds the requester. Anyone may call.
    /// @param taskId The task (Disputed).
    /// @param claims Per compute party, its revealed claims.
    /// @param salts Per compute party, its revealed salt.
    function resolve(uint256 taskId, bytes32[][] calldata claims, bytes32[] calldata salts) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, TaskStatus.Disputed);
        uint256 nCompute = t.nCompute;
        if (claims.length != nCompute || salts.length != nCompute) revert TaskMarketBadClaims(taskId, nCompute);
        bytes32[][] memory c = new bytes32[][](nCompute);
        for (uint256 i = 0; i < nCompute; ++i) {
            address node = _addressAt(taskId, i);
            c[i] = claims[i];
            if (CommitReveal.commitment(taskId, node, c[i], salts[i]) != _commitments[taskId][i]) {
                revert TaskMarketBadOpening(taskId, node);
            }
        }
        t.status = TaskStatus.Failed;
        emit TaskFailed(taskId);
        for (uint256 i = 0; i < nCompute; ++i) {
            if (FaultRules.blamedByClaims(c, i)) _slash(taskId, i, Fault.BlamedByClaims);
        }
        _refund(taskId, t);
    }

    /// @notice Ends a task that is past its deadline with a full refund to the requester.
    ///         If it had started, slashes each compute party that stayed silent (neither
    ///         committed nor reported; or committed and did not reveal) and each party blamed
    ///         by a majority of the compute parties. A Disputed task expires without slashing
    ///         (use {resolve} to attribute it). Anyone may call.
    /// @param taskId The task (Pending, Running, Revealing or Disputed, past its deadline).
    function expire(uint256 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        TaskStatus status = t.status;
        if (status == TaskStatus.None || status > TaskStatus.Disputed) {
            _requireStatus(taskId, status, TaskStatus.Pending);
        }
        if (block.timestamp <= t.deadline) revert TaskMarketNotExpired(taskId, t.deadline);
        t.status = TaskStatus.Expired;
        emit TaskExpired(taskId);
        if (status == TaskStatus.Running || status == TaskStatus.Revealing) {
            uint256 nCompute = t.nCompute;
            uint256 done = status == TaskStatus.Running ? t.committed | t.reported : t.revealed;
            uint256 nParties = t.nParties;
            uint256 blames = _blames[taskId];
            uint256 reported = t.reported;
            for (uint256 i = 0; i < nParties; ++i) {
                if (i < nCompute && (done >> i) & 1 == 0) _slash(taskId, i, Fault.Silent);
                else if (blames != 0 && FaultRules.blamedByReports(blames, reported, nCompute, i)) {
                    _slash(taskId, i, Fault.BlamedByReports);
                }
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

    // ---------------------------------------------------------------- internals

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
    function _settle(uint256 taskId, Task storage t) private {
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
    function _fail(uint256 taskId, Task storage t) private {
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
    function _refund(uint256 taskId, Task storage t) private {
        address requester = t.requester;
        uint256 fee = t.fee;
        if (fee > 0) _payment.safeTransfer(requester, fee);
        uint256 nDatasets = t.nDatasets;
        for (uint256 j = 0; j < nDatasets; ++j) {
            IERC20(_tokens[taskId][j]).safeTransfer(requester, DATA_TOKEN_UNIT);
        }
    }

    /// @dev Burns up to slashAmount of the party's stake (it stays locked in the registry).
    function _slash(uint256 taskId, uint256 index, Fault fault) private {
        if (_slashAmount == 0) return;
        address node = _addressAt(taskId, index);
        uint256 amount = _nodes.slash(node, _slashAmount);
        emit TaskPartySlashed(taskId, node, amount, fault);
    }

    function _addressAt(uint256 taskId, uint256 index) private view returns (address) {
        return address(uint160(_parties[taskId][index]));
    }

    function _partyIndex(uint256 taskId, uint256 nParties, address node) private view returns (uint256) {
        for (uint256 i = 0; i < nParties; ++i) {
            if (_addressAt(taskId, i) == node) return i;
        }
        revert TaskMarketNotParty(taskId, node);
    }

    function _computeIndex(uint256 taskId, uint256 nCompute, address node) private view returns (uint256) {
        for (uint256 i = 0; i < nCompute; ++i) {
            if (_addressAt(taskId, i) == node) return i;
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
