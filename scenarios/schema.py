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
    """

    name: str
    calls_per_interval: tuple[tuple[str, tuple[float, ...]], ...]
    handle_time: Distribution
    priority: int = 1
    wrap_up: Distribution = field(
        default_factory=lambda: Distribution(kind="deterministic", mean_s=0.0, cv=0.0)
    )
    patience: Distribution | None = None

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
    """

    name: str
    skills: tuple[str, ...]
    staffing: tuple[int, ...] = ()
    shifts: tuple[Shift, ...] = ()
    availability: float = 1.0
    walk_in_s: float = 180.0


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
    schema_version: int = 1

    def call_type(self, name: str) -> CallType:
        """The call type called ``name``."""
        for ct in self.call_types:
            if ct.name == name:
                return ct
        raise KeyError(name)
