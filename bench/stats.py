# SPDX-License-Identifier: GPL-2.0-or-later
"""The bench's statistics, in one place for every Python report of bench/.

median() is the lab's (tests/lab/lib.sh, LAB_MEDIAN_AWK / lab_median): the
middle value, the upper of the two middle ones of an even count, so that
"2 of 4 under a limit" never passes as a median under it.
tests/tools/t_median.sh checks that the two give the same on the same
numbers.
"""


def median(v):
    v = sorted(v)
    return v[len(v) // 2]
