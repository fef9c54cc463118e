// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Atomic settlement of a clearing cycle's net positions (docs/clearing.md).
//
// Banks lock an ERC-20 (a tokenised deposit or stablecoin) for a cycle; the netting itself
// runs off-chain under MPC (src/algorithms/clearing). One `settle` call applies every net
// position at once: the positions must sum to zero, no bank may be debited beyond what it
// locked, a cycle settles at most once, and each bank receives its lock plus its position
// in the same transaction. A cycle that has not settled by its deadline returns every lock
// (`expire`, callable by anyone), so funds never stay locked.
//
// Authorisation is one internal function, `_checkAuthorisation(cycleId, digest, proof)`:
// today every compute party of the cycle approves the same settlement digest beforehand
// (`approveSettlement`, an empty proof); a committee's threshold signature over the digest
// (FROST, RFC 9591, verified on-chain) is the other branch, for a non-empty proof, once the
// key-management contracts land. The digest is keccak256(abi.encode(cycleId, nets,
// settledSet)), settledSet being the banks' commitment to the settled payments.
//
// Gas: one storage slot per bank (address and lock packed), read once at settlement, and
// one token transfer per bank that receives something.

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title Clearing
/// @notice Locks, atomic settlement of net positions, and refunds for clearing cycles.
contract Clearing is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    enum State {
        None,
        Open,
        Settled,
        Expired
    }

    struct Cycle {
        IERC20 token;
        uint64 deadline;
        State state;
    }

    /// @dev A bank and what it has locked, in one slot.
    struct Member {
        address bank;
        uint96 locked;
    }

    uint256 private _cycleCount;
    mapping(uint256 => Cycle) private _cycles;
    mapping(uint256 => Member[]) private _members;
    mapping(uint256 => address[]) private _computeParties;
    /// @dev cycle → bank → index + 1 (0: not a member).
    mapping(uint256 => mapping(address => uint256)) private _memberIndex;
    /// @dev cycle → compute party → approved digest (0: not yet); only compute parties are keys.
    mapping(uint256 => mapping(address => bytes32)) private _approvals;
    mapping(uint256 => mapping(address => bool)) private _isComputeParty;

    event CycleOpened(uint256 indexed cycleId, address indexed token, address[] banks, address[] computeParties, uint64 deadline);
    /// @dev The cycle's public program parameters, for the bank nodes that run it (src/node/clearing).
    event CycleParams(uint256 indexed cycleId, bytes params);
    event Locked(uint256 indexed cycleId, address indexed bank, uint256 amount);
    event SettlementApproved(uint256 indexed cycleId, address indexed computeParty, bytes32 digest);
    event CycleSettled(uint256 indexed cycleId, bytes32 settledSet, bytes32 digest);
    event CycleExpired(uint256 indexed cycleId);

    error ClearingInvalidCycle(string reason);
    error ClearingUnknownCycle(uint256 cycleId);
    error ClearingNotOpen(uint256 cycleId);
    error ClearingPastDeadline(uint256 cycleId);
    error ClearingDeadlineNotReached(uint256 cycleId);
    error ClearingNotMember(address account);
    error ClearingNotComputeParty(address account);
    error ClearingZeroAmount();
    error ClearingLockTooLarge();
    error ClearingAlreadyApproved(address computeParty);
    error ClearingNotAuthorised(address computeParty);
    error ClearingUnsupportedAuthorisation();
    error ClearingWrongLength(uint256 expected, uint256 got);
    error ClearingNotBalanced(int256 sum);
    error ClearingOverdrawn(uint256 index);

    /// @notice Opens a cycle. Positions will be given in the order of `banks`.
    /// @param token The ERC-20 banks lock and settle in.
    /// @param banks Distinct bank addresses (at least two).
    /// @param computeParties Distinct compute parties whose agreement authorises the settlement.
    /// @param deadline Unix time after which the cycle can only expire.
    /// @return cycleId The new cycle's id (1, 2, …).
    function openCycle(IERC20 token, address[] calldata banks, address[] calldata computeParties, uint64 deadline)
        external
        returns (uint256 cycleId)
    {
        return _openCycle(token, banks, computeParties, deadline);
    }

    /// @notice Opens a cycle and publishes its program parameters (slots, iterations, …) for
    /// the bank nodes that run it as a task; the contract does not read them.
    /// @param params UTF-8 JSON, at most 1024 bytes (docs/clearing.md).
    function openCycleWithParams(IERC20 token, address[] calldata banks, address[] calldata computeParties, uint64 deadline, bytes calldata params)
        external
        returns (uint256 cycleId)
    {
        if (params.length == 0 || params.length > 1024) revert ClearingInvalidCycle("params");
        cycleId = _openCycle(token, banks, computeParties, deadline);
        emit CycleParams(cycleId, params);
    }

    function _openCycle(IERC20 token, address[] calldata banks, address[] calldata computeParties, uint64 deadline)
        private
        returns (uint256 cycleId)
    {
        if (address(token) == address(0)) revert ClearingInvalidCycle("token");
        if (banks.length < 2) revert ClearingInvalidCycle("banks");
        if (computeParties.length == 0) revert ClearingInvalidCycle("computeParties");
        if (deadline <= block.timestamp) revert ClearingInvalidCycle("deadline");
        cycleId = ++_cycleCount;
        _cycles[cycleId] = Cycle({token: token, deadline: deadline, state: State.Open});
        Member[] storage members = _members[cycleId];
        for (uint256 i = 0; i < banks.length; ++i) {
            address b = banks[i];
            if (b == address(0) || _memberIndex[cycleId][b] != 0) revert ClearingInvalidCycle("duplicate bank");
            members.push(Member({bank: b, locked: 0}));
            _memberIndex[cycleId][b] = i + 1;
        }
        for (uint256 i = 0; i < computeParties.length; ++i) {
            address c = computeParties[i];
            if (c == address(0) || _isComputeParty[cycleId][c]) revert ClearingInvalidCycle("duplicate compute party");
            _isComputeParty[cycleId][c] = true;
        }
        _computeParties[cycleId] = computeParties;
        emit CycleOpened(cycleId, address(token), banks, computeParties, deadline);
    }

    /// @notice Locks `amount` more of the cycle's token from the calling bank (approve first).
    /// @param cycleId The cycle.
    /// @param amount Token units to add to the caller's lock.
    function lock(uint256 cycleId, uint256 amount) external nonReentrant {
        Cycle storage c = _open(cycleId);
        uint256 idx = _memberIndex[cycleId][msg.sender];
        if (idx == 0) revert ClearingNotMember(msg.sender);
        if (amount == 0) revert ClearingZeroAmount();
        Member storage m = _members[cycleId][idx - 1];
        uint256 total = uint256(m.locked) + amount;
        if (total > type(uint96).max) revert ClearingLockTooLarge();
        m.locked = uint96(total);
        c.token.safeTransferFrom(msg.sender, address(this), amount);
        emit Locked(cycleId, msg.sender, amount);
    }

    /// @notice A compute party approves the settlement it computed (once per cycle).
    /// @param cycleId The cycle.
    /// @param digest keccak256(abi.encode(cycleId, nets, settledSet)).
    function approveSettlement(uint256 cycleId, bytes32 digest) external {
        _open(cycleId);
        if (!_isComputeParty[cycleId][msg.sender]) revert ClearingNotComputeParty(msg.sender);
        if (_approvals[cycleId][msg.sender] != bytes32(0)) revert ClearingAlreadyApproved(msg.sender);
        if (digest == bytes32(0)) revert ClearingNotAuthorised(msg.sender);
        _approvals[cycleId][msg.sender] = digest;
        emit SettlementApproved(cycleId, msg.sender, digest);
    }

    /// @notice Applies every bank's net position at once and pays each its lock plus position.
    /// @param cycleId The cycle.
    /// @param nets Net positions in token units, in the cycle's bank order; they sum to zero.
    /// @param settledSet The banks' commitment to the settled payments.
    /// @param proof Empty: the compute parties' approvals authorise; otherwise a group signature.
    function settle(uint256 cycleId, int256[] calldata nets, bytes32 settledSet, bytes calldata proof) external nonReentrant {
        Cycle storage c = _open(cycleId);
        Member[] storage members = _members[cycleId];
        uint256 n = members.length;
        if (nets.length != n) revert ClearingWrongLength(n, nets.length);
        bytes32 digest = keccak256(abi.encode(cycleId, nets, settledSet));
        _checkAuthorisation(cycleId, digest, proof);
        c.state = State.Settled;
        IERC20 token = c.token;
        int256 sum;
        for (uint256 i = 0; i < n; ++i) {
            Member storage m = members[i];
            int256 net = nets[i];
            int256 credit = int256(uint256(m.locked)) + net;
            if (credit < 0) revert ClearingOverdrawn(i);
            sum += net;
            if (credit > 0) token.safeTransfer(m.bank, uint256(credit));
        }
        if (sum != 0) revert ClearingNotBalanced(sum);
        emit CycleSettled(cycleId, settledSet, digest);
    }

    /// @notice After the deadline, returns every lock of a cycle that did not settle.
    /// @param cycleId The cycle.
    function expire(uint256 cycleId) external nonReentrant {
        Cycle storage c = _cycles[cycleId];
        if (c.state == State.None) revert ClearingUnknownCycle(cycleId);
        if (c.state != State.Open) revert ClearingNotOpen(cycleId);
        if (block.timestamp <= c.deadline) revert ClearingDeadlineNotReached(cycleId);
        c.state = State.Expired;
        Member[] storage members = _members[cycleId];
        for (uint256 i = 0; i < members.length; ++i) {
            Member storage m = members[i];
            if (m.locked > 0) c.token.safeTransfer(m.bank, m.locked);
        }
        emit CycleExpired(cycleId);
    }

    /// @notice A cycle's token, deadline and state (0 none, 1 open, 2 settled, 3 expired).
    function cycleOf(uint256 cycleId) external view returns (address token, uint64 deadline, State state) {
        Cycle storage c = _cycles[cycleId];
        return (address(c.token), c.deadline, c.state);
    }

    /// @notice Banks and their locks, in position order.
    function membersOf(uint256 cycleId) external view returns (address[] memory banks, uint256[] memory locked) {
        Member[] storage members = _members[cycleId];
        banks = new address[](members.length);
        locked = new uint256[](members.length);
        for (uint256 i = 0; i < members.length; ++i) {
            banks[i] = members[i].bank;
            locked[i] = members[i].locked;
        }
    }

    /// @notice The cycle's compute parties and the digest each has approved (0 if none).
    function approvalsOf(uint256 cycleId) external view returns (address[] memory parties, bytes32[] memory digests) {
        parties = _computeParties[cycleId];
        digests = new bytes32[](parties.length);
        for (uint256 i = 0; i < parties.length; ++i) digests[i] = _approvals[cycleId][parties[i]];
    }

    function _open(uint256 cycleId) private view returns (Cycle storage c) {
        c = _cycles[cycleId];
        if (c.state == State.None) revert ClearingUnknownCycle(cycleId);
        if (c.state != State.Open) revert ClearingNotOpen(cycleId);
        if (block.timestamp > c.deadline) revert ClearingPastDeadline(cycleId);
    }

    /// @dev The one place that decides whether `digest` may settle `cycleId`. Empty proof:
    /// every compute party approved exactly this digest. A non-empty proof is reserved for
    /// a committee's FROST signature over the digest (not yet supported).
    function _checkAuthorisation(uint256 cycleId, bytes32 digest, bytes calldata proof) internal view {
        if (proof.length != 0) revert ClearingUnsupportedAuthorisation();
        address[] storage parties = _computeParties[cycleId];
        for (uint256 i = 0; i < parties.length; ++i) {
            if (_approvals[cycleId][parties[i]] != digest) revert ClearingNotAuthorised(parties[i]);
        }
    }
}
