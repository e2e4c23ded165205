"""The scenario: a call center described in a planner's words, as frozen dataclasses.

A :class:`Scenario` is plain data. It is built by :func:`scenarios.load.load_scenario` from a
TOML file (which validates every key and converts units once, at the edge), changed only by
building a new one (:func:`scenarios.whatif.apply_overrides`), and read by ``erlang`` helpers
and by the ``sim`` package.

Conventions
-----------
* Every time is float seconds and every name carries its unit (``mean_s``, ``interval_s``).
  Wall-clock times of day are seconds after midnight (``start_s = 28800.0`` is 08:00).
* Intervals are numbered over the whole horizon: interval ``k`` of day ``d`` has the global index
  ``d * calendar.intervals_per_day + k``. A call counts in the interval in which it arrived.
* Sequences are tuples and mappings are tuples of pairs, so that every object is hashable and
  truly immutable.
* Priority: a *smaller* ``priority`` number is served first (class 1 before class 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Distribution kinds understood by :class:`Distribution`.
DISTRIBUTION_KINDS = (
    "exponential",
    "deterministic",
    "gamma",
    "erlang",
    "lognormal",
    "weibull",
    "uniform",
    "empirical",
)

#: Service-level definitions (see :class:`Targets`).
SL_DEFINITIONS = ("offered", "answered", "exclude_short_abandons")


@dataclass(frozen=True, kw_only=True)
class Distribution:
    """A non-negative duration distribution, given as users think of it.

    Parameters
    ----------
    kind : str
        One of :data:`DISTRIBUTION_KINDS`. ``erlang`` is a gamma whose shape ``1 / cv**2`` must be
        an integer; ``uniform`` is symmetric around the mean (``cv <= 1/sqrt(3)`` keeps it >= 0).
    mean_s : float
        Mean in seconds (> 0; ``deterministic`` may be 0). For ``empirical`` it is the sample mean.
    cv : float
        Coefficient of variation (standard deviation over mean). Fixed at 1 for ``exponential``
        and 0 for ``deterministic``; the sample CV for ``empirical``.
    samples_s : tuple of float
        The samples of an ``empirical`` distribution (drawn uniformly with replacement);
        empty for every other kind.
    """

    kind: str
    mean_s: float
    cv: float = 1.0
    samples_s: tuple[float, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Calendar:
    """When the simulated center runs.

    Parameters
    ----------
    start_s : float
        Time of day at which interval 0 of every day begins, seconds after midnight.
    interval_s : float
        Length of one reporting interval: 900, 1800 or 3600 s.
    intervals_per_day : int
        Number of intervals simulated per day (``> 0``).
    days : tuple of str
        One day-profile name per simulated day, in order (for example
        ``("weekday",) * 5 + ("weekend",) * 2``). Arrival profiles are given per profile name.
        A single-day study is ``("day",)``.
    open_s, close_s : float
        Opening hours, seconds after midnight. A call arriving outside ``[open_s, close_s)``
        is lost as ``after_hours``. Default: open for the whole simulated day.
    """

    start_s: float
    interval_s: float
    intervals_per_day: int
    days: tuple[str, ...] = ("day",)
    open_s: float | None = None
    close_s: float | None = None

    @property
    def n_intervals(self) -> int:
        """Total number of intervals over all days."""
        return self.intervals_per_day * len(self.days)

    @property
    def day_s(self) -> float:
        """Length of one simulated day in seconds (intervals_per_day * interval_s)."""
        return self.intervals_per_day * self.interval_s

    @property
    def horizon_s(self) -> float:
        """Simulated time of all days together, in seconds."""
        return self.n_intervals * self.interval_s


#: What an overflow group does with a call (see :class:`Overflow`).
OVERFLOW_MODES = ("serve", "message")


@dataclass(frozen=True, kw_only=True)
class Overflow:
    """A second group that takes a call its own groups have not answered in time.

    Parameters
    ----------
    group : str
        The overflow group (for example an outside call center). It must not have the call
        type among its skills: it gets the call only through overflow.
    after_s : float
        Waiting time after which the call becomes eligible for the overflow group too, while
        staying in its queue for its own groups (whoever is free first takes it). 0: at once
        when no agent of its own groups is idle; ``inf``: never.
    mode : str
        ``serve``: the overflow agent handles the call (its own ``handle_time`` if given, else
        the caller's). ``message``: the agent takes a message (``message`` long, outcome
        ``message``) and the caller is called back by its own groups (``[callbacks]``).
    handle_time : Distribution or None
        Talk time when served by the overflow group; ``None``: the caller's own.
    message : Distribution
        Time to take a message.
    """

    group: str
    after_s: float = 0.0
    mode: str = "serve"
    handle_time: Distribution | None = None
    message: Distribution = field(
        default_factory=lambda: Distribution(kind="deterministic", mean_s=60.0, cv=0.0))


@dataclass(frozen=True, kw_only=True)
class CallType:
    """One kind of call, identified before an agent answers (number dialled or IVR menu).

    Parameters
    ----------
    name : str
        Unique name, used by skills, the IVR menu and reports.
    calls_per_interval : tuple of (str, tuple of float)
        Expected calls per interval for each day profile, as ``((profile, (c0, c1, ...)), ...)``;
        each vector has ``calendar.intervals_per_day`` entries. Arrivals are Poisson within an
        interval, with this mean times ``Scenario.arrival_scale`` times the day's busyness factor.
        Given in the file either directly or as ``daily_volume`` times a normalised ``shape``
        (the loader turns the latter into this form).
    priority : int
        Queue priority class, smaller is served first.
    handle_time : Distribution
        Talk time.
    wrap_up : Distribution
        After-call work; the agent is busy but the line is already free.
    patience : Distribution or None
        Time a caller is willing to wait in queue; ``None`` means infinite patience.
    conversion : float
        Probability that an answered call of this type becomes a booking (by default: groups
        may convert better, :attr:`AgentGroup.conversion`).
    intent_slope : float
        How a caller's intent goes with its patience: a caller whose patience is ``x`` times
        the type's mean converts with ``logistic(logit(conversion) + intent_slope * (x - 1))``.
        0: intent does not depend on patience. Positive: the patient callers are the
        motivated ones (the field saw conversion fall when priority let impatient callers
        through).
    overflow : Overflow or None
        Where the call goes when its own groups do not answer it in time.
    """

    name: str
    calls_per_interval: tuple[tuple[str, tuple[float, ...]], ...]
    handle_time: Distribution
    priority: int = 1
    wrap_up: Distribution = field(
        default_factory=lambda: Distribution(kind="deterministic", mean_s=0.0, cv=0.0)
    )
    patience: Distribution | None = None
    conversion: float = 0.0
    intent_slope: float = 0.0
    overflow: Overflow | None = None

    def calls_for(self, profile: str) -> tuple[float, ...]:
        """Expected calls per interval on a day of the given profile.

        Raises ``KeyError`` for a profile the call type does not list; in a loaded scenario every
        call type lists every profile of ``calendar.days``.
        """
        for name, vector in self.calls_per_interval:
            if name == profile:
                return vector
        raise KeyError(profile)


@dataclass(frozen=True, kw_only=True)
class Ivr:
    """The recorded greeting and menu every call passes before it queues.

    Parameters
    ----------
    greeting : Distribution
        Time spent in the IVR by a caller who listens to the end.
    patience : Distribution or None
        Time a caller is willing to listen; a caller whose IVR patience is shorter than the
        greeting hangs up in the IVR (``ivr_abandoned``). ``None``: nobody hangs up in the IVR.
    served_share : float
        Share of callers who finish the IVR and need no agent (``ivr_served``), in [0, 1].
    menu : tuple of (str, tuple of (str, float))
        Optional menu split: ``(("general", (("booking", 0.7), ("results", 0.3))),)`` turns a call
        that arrived as type ``general`` into ``booking`` or ``results`` when it leaves the IVR,
        with those probabilities (summing to 1). Types not listed keep their type.
    """

    greeting: Distribution = field(
        default_factory=lambda: Distribution(kind="deterministic", mean_s=0.0, cv=0.0)
    )
    patience: Distribution | None = None
    served_share: float = 0.0
    menu: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Shift:
    """``count`` agents on duty from ``start_s`` to ``end_s``, seconds after midnight, every day."""

    start_s: float
    end_s: float
    count: int


@dataclass(frozen=True, kw_only=True)
class AgentGroup:
    """A team of interchangeable agents.

    Parameters
    ----------
    name : str
        Unique group name.
    skills : tuple of str
        Call types the group answers, most preferred first. When an agent frees up it takes the
        best waiting call among its skills: highest priority class first, then its most preferred
        skill, then the longest waiting.
    staffing : tuple of int
        Agents on duty per interval of all days: ``calendar.n_intervals`` entries (interval ``k``
        of day ``d`` at ``d * intervals_per_day + k``). A file may give one day's vector, the
        same every day, or a single number; the loader tiles it to this length. Empty when
        ``shifts`` are given.
    shifts : tuple of Shift
        Alternative to ``staffing``; agents on duty in an interval are those whose shift covers it.
    availability : float
        Share of on-duty time an agent is available for calls, in (0, 1]. Below 1 the agent also
        serves walk-in patients: tasks of mean ``walk_in_s`` arrive to each agent as a Poisson
        stream at rate ``(1 - availability) / walk_in_s`` and are served before waiting calls.
    walk_in_s : float
        Mean duration of one walk-in task (exponential), seconds.
    conversion : tuple of (str, float)
        Booking probability of this group's answered calls, per call type, where it differs
        from the type's own (a team specialised in one direction books more of its calls).
    open_s, close_s : float or None
        The group's own opening hours (clock times; a close at or before the open crosses
        midnight). A call that arrives when no group able to take it (by skill or overflow)
        is open is lost as ``after_hours`` (or leaves a voicemail). ``None``: the calendar's.
        Hours decide which calls are taken at all; who is on duty is the staffing's or the
        shifts' to say (staff a group within its hours).
    """

    name: str
    skills: tuple[str, ...]
    staffing: tuple[int, ...] = ()
    shifts: tuple[Shift, ...] = ()
    availability: float = 1.0
    walk_in_s: float = 180.0
    conversion: tuple[tuple[str, float], ...] = ()
    open_s: float | None = None
    close_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class Targets:
    """Service targets.

    Parameters
    ----------
    awt_s : float
        Acceptable waiting time: the service-level threshold, seconds.
    service_level : float
        Target share of calls answered within ``awt_s``, in [0, 1].
    sl_definition : str
        ``offered``: answered within AWT over all calls that reached the queue;
        ``answered``: answered within AWT over answered calls;
        ``exclude_short_abandons``: answered within AWT over calls that reached the queue, minus
        those that abandoned within ``short_abandon_s``.
    short_abandon_s : float
        Threshold for ``exclude_short_abandons``, seconds.
    max_abandon : float or None
        Target ceiling on the share of queued calls that abandon, in [0, 1]; ``None``: none.
    max_asa_s : float or None
        Target ceiling on the ASA (mean wait of answered calls), seconds, > 0; ``None``: none.
    max_occupancy : float or None
        Target ceiling on agent occupancy: time on calls (talk + wrap-up) over available time
        (on duty, minus walk-ins), in (0, 1]; ``None``: none.
    """

    awt_s: float = 20.0
    service_level: float = 0.8
    sl_definition: str = "offered"
    short_abandon_s: float = 5.0
    max_abandon: float | None = None
    max_asa_s: float | None = None
    max_occupancy: float | None = None


#: Wait predictors an offered callback can use (see :class:`OfferedCallbacks`).
WAIT_PREDICTORS = ("queue", "last_wait")


def _deterministic(mean_s: float) -> Distribution:
    return Distribution(kind="deterministic", mean_s=mean_s, cv=0.0)


@dataclass(frozen=True, kw_only=True)
class Redials:
    """Callers who try again after a busy signal or after hanging up in the queue.

    Parameters
    ----------
    blocked : float
        Probability that a caller who got a busy signal (every line busy) calls again.
    abandoned : float
        Probability that a caller who hung up in the queue calls again (unless an automatic
        callback is coming, see :class:`AbandonedCallbacks`).
    delay : Distribution
        Time from the failed attempt to the next one.
    max_attempts : int
        Attempts per caller, the first included; a caller whose last attempt fails gives up.

    Notes
    -----
    A redial is a new attempt of the same caller (same ``caller_id``, its attempt number one
    higher, kind ``redial``), with the caller's own talk time, wrap-up, IVR times and menu
    choice (the same need) but a patience drawn anew (how long one holds depends on the
    moment; this also makes the redials the Markov model of ``erlang.redial_chain``). An
    attempt that would fall after the last interval is not made: the caller gives up (it is
    counted).
    """

    blocked: float = 0.0
    abandoned: float = 0.0
    delay: Distribution = field(
        default_factory=lambda: Distribution(kind="exponential", mean_s=300.0, cv=1.0))
    max_attempts: int = 10


@dataclass(frozen=True, kw_only=True)
class AbandonedCallbacks:
    """Automatic callbacks of callers who hung up in the queue (the clinic's step 3).

    Parameters
    ----------
    delay : Distribution
        Time from hanging up to the callback being due: from then on the callback waits for a
        free agent in the callback queue (:attr:`Callbacks.priority`).
    min_wait_s : float
        Only callers who waited at least this long are called back (shorter abandons are often
        misdials); 0: everyone.
    deadline_s : float or None
        Target: the first callback attempt within this long of hanging up. Reported as deadline
        misses; the callback is made all the same.
    ivr, blocked : bool
        Also call back callers who hung up during the IVR greeting, and callers who got a busy
        signal (a phone system with caller ID sees both as missed calls).
    call_types : tuple of str
        Only callers who dialled one of these call types are called back (the numbers a
        call-tracking service watches, such as the advertising numbers); empty: every type.
    """

    delay: Distribution = field(default_factory=lambda: _deterministic(0.0))
    min_wait_s: float = 0.0
    deadline_s: float | None = None
    ivr: bool = False
    blocked: bool = False
    call_types: tuple[str, ...] = ()

    def calls_back(self, call_type: str) -> bool:
        """Whether callers who dialled ``call_type`` are called back."""
        return not self.call_types or call_type in self.call_types


@dataclass(frozen=True, kw_only=True)
class OfferedCallbacks:
    """Virtual hold: a caller whose predicted wait is long is offered a callback instead.

    Parameters
    ----------
    threshold_s : float
        The offer is made when the predicted wait exceeds this (``inf``: never).
    accept_probability : float
        Probability that an offered caller accepts; an accepting caller hangs up (freeing its
        line; outcome ``callback_requested``) and is called back.
    predictor : str
        ``queue``: (callers of the type waiting + 1) times the type's mean talk plus wrap-up,
        over the agents on duty in the groups serving it. ``last_wait``: the wait of the last
        caller of the type that reached an agent. Prediction quality is reported.
    keep_place : bool
        ``true``: the callback keeps the caller's place in its call type's queue (it is made
        when an inbound call in that place would have been answered). ``false``: it waits in
        the callback queue at :attr:`Callbacks.priority`.
    deadline_s : float or None
        Target: the callback made within this long of the acceptance. Reported as deadline
        misses; the callback keeps its place all the same (it is not moved ahead).
    """

    threshold_s: float
    accept_probability: float = 1.0
    predictor: str = "queue"
    keep_place: bool = True
    deadline_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class Callbacks:
    """Calls the center makes back to callers: how they are dialled and when.

    Parameters
    ----------
    dial : Distribution
        Dialling and ringing time; it occupies the agent whether or not the caller answers.
    reach_probability : float
        Probability that the caller answers a callback attempt; a reached caller then talks for
        its own talk time, followed by its wrap-up.
    max_attempts : int
        Callback attempts per request; after the last unreached one the caller is not called
        again.
    retry_delay : Distribution
        From an unreached attempt to the next attempt being due.
    priority : int or None
        Queue priority class of due callbacks among the call types' classes (smaller first;
        at an equal class inbound calls go first). ``None`` (default): after every inbound
        call, so that callbacks use only time no waiting caller needs.
    abandoned, offered : AbandonedCallbacks or OfferedCallbacks, optional
        Which callers are called back.
    voicemail : bool
        Callers who call outside opening hours leave a voicemail and are called back when the
        line opens (else they are lost as ``after_hours``).

    Notes
    -----
    Callbacks use the agents of the groups that have the caller's call type among their skills,
    but not the inbound trunk lines (outbound calls are assumed to go out on lines of their
    own). A caller who will be called back does not redial.
    """

    dial: Distribution = field(default_factory=lambda: _deterministic(20.0))
    reach_probability: float = 1.0
    max_attempts: int = 3
    retry_delay: Distribution = field(default_factory=lambda: _deterministic(600.0))
    priority: int | None = None
    abandoned: AbandonedCallbacks | None = None
    offered: OfferedCallbacks | None = None
    voicemail: bool = False


#: Who makes the outbound reminder calls (see :class:`Outbound`).
OUTBOUND_MODES = ("idle", "reserved", "dialer")


@dataclass(frozen=True, kw_only=True)
class Outbound:
    """Reminder calls to booked patients, made by the center's agents (the clinic's step 7).

    Parameters
    ----------
    calls_per_day : int
        Reminders to make each simulated day.
    window_start_s, window_end_s : float
        Clock times (seconds after midnight) between which reminders are dialled.
    mode : str
        ``idle``: agents of ``groups`` dial a reminder whenever they would otherwise be idle
        (no walk-in, no waiting call), so reminders use only time inbound calls do not need.
        ``reserved``: the agents of ``groups`` (groups without skills) do only reminders.
        ``dialer``: a dialer rings patients by itself, ``dialer_ratio`` calls per idle agent
        of ``groups``, and connects a patient who answers to an idle agent; if none is idle
        within ``connect_wait_s`` the patient hears silence and hangs up (an abandoned
        outbound call, which regulators cap, typically at 3 % of answered calls).
    groups : tuple of str
        The groups that dial; empty: every group with skills (mode ``idle``).
    dial : Distribution
        Dialling and ringing; the agent is busy, reached or not.
    reach_probability : float
        Probability that the patient answers.
    talk : Distribution
        Length of a reminder conversation.
    visit_probability : float
        Probability that a reminded (reached) booking becomes a visit, against
        :attr:`Outcomes.visit_probability` for a booking nobody reminded.
    dialer_ratio : float
        Mode ``dialer``: calls in progress per idle agent (1: never more calls than agents).
    connect_wait_s : float
        Mode ``dialer``: how long an answering patient waits for an agent.

    Notes
    -----
    Reminders are not calls of any call type: they appear in agent time and occupancy and in
    the outbound figures (made, reached, left undone at the window's end), not in the records.
    """

    calls_per_day: int
    window_start_s: float
    window_end_s: float
    mode: str = "idle"
    groups: tuple[str, ...] = ()
    dial: Distribution = field(default_factory=lambda: _deterministic(20.0))
    reach_probability: float = 0.7
    talk: Distribution = field(default_factory=lambda: _deterministic(60.0))
    visit_probability: float = 1.0
    dialer_ratio: float = 1.0
    connect_wait_s: float = 2.0


@dataclass(frozen=True, kw_only=True)
class Outcomes:
    """What answered calls are worth to the business.

    Parameters
    ----------
    visit_probability : float
        Probability that a booking becomes a visit.
    value_per_visit : float
        Value of one visit (any currency); 0: not reported.
    """

    visit_probability: float = 1.0
    value_per_visit: float = 0.0


#: More replications than this are refused (files and ``callsim run -r``): the CI half-width
#: shrinks as 1/sqrt(R), so beyond it a longer horizon or a second run says more, and the run
#: would take days.
MAX_REPLICATIONS = 100_000


@dataclass(frozen=True, kw_only=True)
class Simulation:
    """How the simulation is run.

    Parameters
    ----------
    replications : int
        Independent replications (``1`` to :data:`MAX_REPLICATIONS`; CIs need ``>= 2``).
    seed : int or None
        Root entropy of the run's ``numpy.random.SeedSequence``; ``None`` draws fresh entropy,
        which is recorded in every output so the run can be repeated.
    warmup_s : float
        Calls arriving before this time are simulated but not counted (stationary studies).
        Day runs start empty and use 0.
    daily_busyness_cv : float
        CV of a gamma-distributed daily busyness factor of mean 1 that multiplies every arrival
        rate of a day (day-to-day overdispersion); 0 disables it.
    """

    replications: int = 10
    seed: int | None = None
    warmup_s: float = 0.0
    daily_busyness_cv: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Planning:
    """What staffing plans need beyond the center itself (read by :mod:`plan`, not by the sim).

    Parameters
    ----------
    shrinkage : float
        Share of scheduled paid time in which an agent is not available for calls for reasons
        the shift plan does not place itself (absence, meetings, coaching, training, personal
        time), in ``[0, 0.95]``. Heads to schedule are ``ceil(on_phone / (1 - shrinkage))``.
        Breaks that a shift plan places (:mod:`plan.shifts`) are **not** part of it: counting
        them here too would count them twice. Default 0: measure it (calibration learns it)
        rather than assume the common 30 %.
    sl_probability : float or None
        A risk target: in every interval, the share of simulated days (replications, busier
        and quieter ones with ``simulation.daily_busyness_cv``) on which the service-level
        target is met must be at least this, in (0, 1]. Judged on simulations only (the
        per-interval formulas know no day-to-day variation). ``None``: the service level is
        judged on its mean over days.
    """

    shrinkage: float = 0.0
    sl_probability: float | None = None


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A whole call center: calendar, call types, IVR, lines, agents, targets, run settings.

    Parameters
    ----------
    name : str
        Human-readable name.
    calendar : Calendar
    call_types : tuple of CallType
    agent_groups : tuple of AgentGroup
    ivr : Ivr
    lines : int or None
        Trunk lines; a call holds one from arrival until talk ends (or it leaves) and a call that
        finds every line busy is ``blocked``. ``None``: unlimited.
    arrival_scale : float
        Global factor on every arrival rate (``--set arrival_scale=1.2`` for 20 % more calls).
    targets : Targets
    simulation : Simulation
    redials : Redials or None
        Callers who call again after failing (``None``: nobody does).
    callbacks : Callbacks or None
        Calls back to abandoned callers and virtual hold (``None``: none).
    outcomes : Outcomes
        Bookings, visits and their value.
    outbound : Outbound or None
        Reminder calls made by the agents.
    planning : Planning
    schema_version : int
        Version of the file format this scenario was read from.
    """

    name: str
    calendar: Calendar
    call_types: tuple[CallType, ...]
    agent_groups: tuple[AgentGroup, ...]
    ivr: Ivr = field(default_factory=Ivr)
    lines: int | None = None
    arrival_scale: float = 1.0
    targets: Targets = field(default_factory=Targets)
    simulation: Simulation = field(default_factory=Simulation)
    redials: Redials | None = None
    callbacks: Callbacks | None = None
    outcomes: Outcomes = field(default_factory=Outcomes)
    outbound: Outbound | None = None
    planning: Planning = field(default_factory=Planning)
    schema_version: int = 1

    def call_type(self, name: str) -> CallType:
        """The call type called ``name``."""
        for ct in self.call_types:
            if ct.name == name:
                return ct
        raise KeyError(name)
