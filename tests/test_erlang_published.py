"""Erlang C and Erlang B against numbers printed in published books.

Every expected value below is copied as printed, with the rounding of its source, and our figure
is rounded the same way before comparing. Where a source prints an offered load for a given
probability (the usual "traffic table"), we invert our formula for that load and round it.

Sources
-------
[Tijms]  H. C. Tijms, *A First Course in Stochastic Models*, 1st ed., John Wiley & Sons, 2003.
         Section 5.3 "Service-system design": Table 5.3.2 "The exact and approximate values of
         c*" (p. 201) and the worked figures for c = 100, rho = 0.95 (p. 200).
[DGI]    J. Dunlop, D. Girma and J. Irvine, *Digital Mobile Communications and the TETRA
         System*, 1st ed., John Wiley & Sons, 1999. Appendix A.4 "Erlang C table (for
         blocked-calls-queued)", A.4.1, worked example on p. 424.
[Bronson] R. Bronson, *Schaum's Outline of Theory and Problems of Operations Research*,
         1st ed., McGraw-Hill, 1982, solved Problem 24.6 (M/M/3), figures as quoted in the
         worked-examples list of M. Casquilho's queueing calculator (IST Lisbon,
         web.ist.utl.pt/mcasquilho/compute/or/Fx-queuevars.php). Secondary quotation.
[Collins] D. Collins, *Carrier Grade Voice over IP*, 2nd ed., McGraw-Hill, 2003, Appendix A
         "Table of Erlang B" (offered Erlangs per number of channels and blocking), rows 1-9.
[Westbay] Westbay Engineers, Erlang calculator manual, "How much traffic can a trunk group
         handle?" (erlang.com/calculatormanual). A vendor manual, not a textbook.
"""

from __future__ import annotations

import math

import pytest
from scipy.optimize import brentq

from erlang.erlang_b import erlang_b, lines_for_blocking
from erlang.erlang_c import erlang_c
from erlang.staffing import StaffingTargets, staff


def _delay(load_erl: float, agents: int, t_over_aht: float = 0.0):
    """Erlang C figures in units of the mean service time (AHT = 1)."""
    return erlang_c(arrival_rate_per_s=load_erl, aht_s=1.0, agents=agents, awt_s=t_over_aht)


def _load_for_delay(agents: int, p_wait: float) -> float:
    """The offered load at which C(agents, load) equals ``p_wait`` (an Erlang C traffic table)."""
    return brentq(lambda a: _delay(a, agents).p_wait - p_wait, 1e-9, agents - 1e-9, xtol=1e-12)


def _load_for_blocking(lines: int, blocking: float) -> float:
    """The offered load at which B(lines, load) equals ``blocking`` (an Erlang B traffic table)."""
    return brentq(lambda a: erlang_b(a, lines) - blocking, 1e-12, 2.0 * lines + 10.0, xtol=1e-12)


# --- Erlang C ----------------------------------------------------------------------------------

# [Tijms] Table 5.3.2, column "exa": the least number of servers c* with delay probability
# P_W <= alpha, for offered load R Erlangs. (The "app" column is Tijms' square-root approximation
# and is not a property of Erlang C, so it is not tested.)
TIJMS_TABLE_5_3_2 = {
    # alpha: {R: c*}
    0.5: {1: 2, 5: 7, 10: 12, 50: 54, 100: 106, 250: 259, 500: 512, 1000: 1017},
    0.2: {1: 3, 5: 8, 10: 14, 50: 58, 100: 111, 250: 268, 500: 525, 1000: 1034},
    0.1: {1: 3, 5: 9, 10: 16, 50: 61, 100: 115, 250: 274, 500: 533, 1000: 1046},
}
TIJMS_CASES = [(alpha, load, c) for alpha, row in TIJMS_TABLE_5_3_2.items()
               for load, c in row.items()]


@pytest.mark.parametrize("alpha, load, expected", TIJMS_CASES,
                         ids=[f"alpha={a}-R={r}" for a, r, _ in TIJMS_CASES])
def test_tijms_table_5_3_2_staffing_for_delay_probability(alpha, load, expected):
    # P_W <= alpha is a service level of 1 - alpha at a threshold of 0 s.
    result = staff(arrival_rate_per_s=load / 180.0, aht_s=180.0,
                   targets=StaffingTargets(service_level=1.0 - alpha, awt_s=0.0), model="c")
    assert result.agents == expected
    # And directly: c* meets the bound, c* - 1 does not.
    assert _delay(load, expected).p_wait <= alpha < _delay(load, expected - 1).p_wait


def test_tijms_page_200_hundred_servers_at_95_percent():
    # [Tijms] p. 200: "take c = 100 and rho = 0.95. Then on average 50.6% of the customers must
    # wait, but the average wait of a delayed customer is only 1/5 of its mean service time.
    # Moreover, on average, only 5% of the delayed customers have to wait more than 3/5 of the
    # mean service time."
    m = _delay(95.0, 100, t_over_aht=3 / 5)
    assert round(100 * m.p_wait, 1) == 50.6
    assert m.asa_s / m.p_wait == pytest.approx(1 / 5, rel=1e-12)
    assert round(100 * (1.0 - m.service_level) / m.p_wait) == 5


def test_dgi_page_424_erlang_c_table_example():
    # [DGI] p. 424: "Given C = 8 and P_Q = 0.05 (5%), from the Erlang C table ... the offered
    # traffic can be found to be A = 3.87. If P_Q has to be reduced to 0.01 (1%), for
    # approximately the same offered traffic the number of channels can be found to be 10. This
    # corresponds to the nearest safe value of A = 4.08 from the table."
    assert round(_load_for_delay(8, 0.05), 2) == 3.87
    assert round(_load_for_delay(10, 0.01), 2) == 4.08
    # "Hence two additional channels would be required": at A = 3.87, 10 channels are the fewest
    # with P_Q <= 1%.
    result = staff(arrival_rate_per_s=3.87 / 60.0, aht_s=60.0,
                   targets=StaffingTargets(service_level=0.99, awt_s=0.0), model="c")
    assert result.agents == 10
    # "The probability of queued calls waiting for more than T [the mean holding time] ... giving
    # P_W = 0.016 for C = 8, and P_W = 0.0022 for C = 10" (at the same A = 3.87).
    for channels, printed, digits in ((8, 0.016, 3), (10, 0.0022, 4)):
        m = _delay(3.87, channels, t_over_aht=1.0)
        assert round((1.0 - m.service_level) / m.p_wait, digits) == printed


def test_bronson_problem_24_6_three_servers():
    # [Bronson] Problem 24.6: s = 3, arrival rate 300 per year, mean service time 2 days
    # (mu = 182.5 per year) -> Lq = 0.352, L = 1.996, Wq = 0.001175 yr = 0.43 d,
    # W = 0.006654 yr = 2.429 d, p0 = 0.17754.
    lam, mu, servers = 300.0, 182.5, 3
    m = erlang_c(arrival_rate_per_s=lam, aht_s=1.0 / mu, agents=servers)  # time unit: years
    load = lam / mu
    wq = m.asa_s  # mean wait of all customers
    lq = lam * wq  # Little's law
    p0 = m.p_wait * (1.0 - load / servers) * math.factorial(servers) / load**servers
    assert round(lq, 3) == 0.352
    assert round(lq + load, 3) == 1.996
    assert round(wq, 6) == 0.001175
    assert round(wq * 365, 2) == 0.43
    assert round(wq + 1.0 / mu, 6) == 0.006654
    assert round((wq + 1.0 / mu) * 365, 3) == 2.429
    assert round(p0, 5) == 0.17754


# --- Erlang B ----------------------------------------------------------------------------------

COLLINS_BLOCKING = (0.0001, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008,
                    0.009, 0.01, 0.02, 0.03, 0.04, 0.05)
# [Collins] Appendix A, offered Erlangs (one decimal) for channels 1-9 (rows) and the blocking
# probabilities 0.01% ... 5.0% above (columns), as printed.
COLLINS_TABLE = {
    1: (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1),
    2: (0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4),
    3: (0.1, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.4, 0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    4: (0.2, 0.4, 0.4, 0.5, 0.6, 0.7, 0.7, 0.7, 0.8, 0.8, 0.8, 0.9, 1.1, 1.3, 1.4, 1.5),
    5: (0.5, 0.6, 0.8, 0.9, 1.0, 1.1, 1.1, 1.2, 1.2, 1.3, 1.3, 1.4, 1.7, 1.9, 2.1, 2.2),
    6: (0.7, 1.0, 1.1, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.8, 1.9, 1.9, 2.3, 2.5, 2.8, 3.0),
    7: (1.1, 1.4, 1.6, 1.8, 1.9, 2.1, 2.2, 2.2, 2.3, 2.4, 2.4, 2.5, 2.9, 3.2, 3.5, 3.7),
    8: (1.4, 1.8, 2.1, 2.3, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 3.1, 3.1, 3.6, 4.0, 4.3, 4.5),
    9: (1.8, 2.3, 2.6, 2.9, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8, 4.3, 4.7, 5.1, 5.4),
}


@pytest.mark.parametrize("channels", sorted(COLLINS_TABLE))
def test_collins_appendix_a_erlang_b_table(channels):
    ours = tuple(round(_load_for_blocking(channels, p), 1) for p in COLLINS_BLOCKING)
    assert ours == COLLINS_TABLE[channels]


def test_westbay_manual_fifteen_lines_at_one_percent():
    # [Westbay]: 15 lines at blocking 0.01 -> "8.108 Erlangs" of busy-hour traffic.
    assert round(_load_for_blocking(15, 0.01), 3) == 8.108
    # The same figure read the other way: 8.108 E at <= 1% blocking needs exactly 15 lines.
    assert lines_for_blocking(8.108, 0.01) == 15
