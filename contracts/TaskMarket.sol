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

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {NodeRegistry} from "./NodeRegistry.sol";
import {DataRegistry} from "./DataRegistry.sol";
import {CommitReveal} from "./CommitReveal.sol";
import {FaultRules} from "./FaultRules.sol";
import {TaskMarketBase} from "./TaskMarketBase.sol";
import {IZkCommitmentSource} from "./IZkCommitmentSource.sol";

/// @title TaskMarket
/// @notice Escrow, consent, commit–reveal of results, failure reports and settlement.
contract TaskMarket is TaskMarketBase, ReentrancyGuardTransient, IZkCommitmentSource {
    /// @dev BN254's scalar field: a result commitment is a Poseidon hash, an element of it.
    uint256 private constant _SNARK_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev Per task, the receiver's Poseidon(result, salt) (docs/zk.md "Task results"), 0 when none.
    mapping(uint256 taskId => uint256) private _resultCommitments;

    event TaskResultCommitted(uint256 indexed taskId, address indexed receiver, uint256 commitment);
    error TaskMarketNotReceiver(uint256 taskId, address caller);
    error TaskMarketResultAlreadyCommitted(uint256 taskId);
    error TaskMarketBadResultCommitment();

    /// @param nodes_ The NodeRegistry (its stake token is the payment token); it must be bound
    ///        to this market afterwards with `bindTaskMarket`.
    /// @param data_ The DataRegistry (must trust the same NodeRegistry).
    /// @param slashAmount_ Penalty per proven fault, in payment-token units (capped at the stake).
    /// @param maxTaskDuration_ Longest allowed `deadline - now` at creation; must be shorter
    ///        than the registry's exit delay so faults are slashable before a stake leaves.
    constructor(NodeRegistry nodes_, DataRegistry data_, uint96 slashAmount_, uint32 maxTaskDuration_)
        TaskMarketBase(nodes_, data_, slashAmount_, maxTaskDuration_)
    {}

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

    // ---------------------------------------------------------------- result commitment for proofs

    /// @notice The task's receiver records a hiding commitment to the result it reconstructed,
    ///         `Poseidon(result, salt)` (src/zk/claims.ts), once, while the task runs or after
    ///         it settled. Zero-knowledge claims about the result (ZkClaims, circuit
    ///         task-result-bound) are proven against it; the salt stays with the receiver (and
    ///         the requester, inside the sealed result). Optional: a task without it costs nothing more.
    /// @param taskId The task (Running, Revealing or Settled).
    /// @param commitment A nonzero element of BN254's scalar field.
    function commitResult(uint256 taskId, uint256 commitment) external {
        Task storage t = _tasks[taskId];
        TaskStatus status = t.status;
        if (status != TaskStatus.Running && status != TaskStatus.Revealing && status != TaskStatus.Settled) {
            _requireStatus(taskId, status, TaskStatus.Settled);
        }
        if (_addressAt(taskId, t.receiverIndex) != msg.sender) revert TaskMarketNotReceiver(taskId, msg.sender);
        if (commitment == 0 || commitment >= _SNARK_FIELD) revert TaskMarketBadResultCommitment();
        if (_resultCommitments[taskId] != 0) revert TaskMarketResultAlreadyCommitted(taskId);
        _resultCommitments[taskId] = commitment;
        emit TaskResultCommitted(taskId, msg.sender, commitment);
    }

    /// @notice The receiver's result commitment of task `uint256(key)`, readable only once the
    ///         task settled (0 otherwise): a claim is about the result of a task that succeeded.
    function zkCommitmentOf(bytes32 key) external view returns (uint256) {
        uint256 taskId = uint256(key);
        if (_tasks[taskId].status != TaskStatus.Settled) return 0;
        return _resultCommitments[taskId];
    }

    /// @notice The receiver's result commitment of a task, whatever its status (0 when none).
    function resultCommitmentOf(uint256 taskId) external view returns (uint256) {
        return _resultCommitments[taskId];
    }
}
