"""The Slack ids of the Durham seed's people (seeds/durham_ilacs_2019.yaml) and of the test workspace."""

from __future__ import annotations

CHAIR = "U0QIB0001"  # head-csc, Sam Carter: chairs the board, a plan admin
IRO = "U0QIB0002"  # iro-ops, Alex Morgan: an owner
IRO_2 = "U0QIB0003"  # iro-ops-2, Jordan Ellis: an owner
ADMIN = "U0QIB0004"  # sm-resources, Casey Hughes: a plan admin
SAFEGUARDING = "U0QIB0005"  # sm-safeguarding, Riley Bennett: owner of M-06 and M-07
PRACTICE_LEAD = "U0QIB0006"  # practice-lead, Drew Lawson
YPS = "U0QIB0009"  # yps-manager, Rowan Price: owner of M-12
ADMIN_BY_SETTING = "U0QIB0011"  # perf-manager, Robin Marsh: an admin only when ADMIN_IDS names them

SECRET = "test-signing-secret"  # the signing secret every test bot is started with
TEAM = "T111"  # the test workspace
BOARD = "CBOARD01"  # the board's channel in it
