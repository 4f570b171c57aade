"""A synthetic improvement plan far larger than any council's, the same every time for a seed number.

    python -m benchmarks.generate --seed 2019 plan.yaml        # a plan file for `qib import`
    python -m benchmarks.generate --seed 2019 --milestones 100 --updates 2000 small.yaml

The default size is the issue's: 30 areas, 12 strategic priorities, 2,000 milestones, 400 people,
100,000 progress updates spread over 36 months, and 36 board meetings (monthly, third Thursday; the
last one is the next meeting after ``today``, so the plan is "live" for a bot that reads the real clock).

Everything (titles, owners, due dates, statuses, the number, timing, authors and text of each update)
is drawn from ``random.Random(seed)``. Dates are offsets from ``today`` (by default the real date in
Europe/London): the same seed and the same ``today`` give a byte-identical plan file.

The plan goes into the database through the real importer (``bot.services.planfile.import_plan``),
as `qib import` does, so every row is one the bot itself would have written.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import TH, relativedelta

TZ = "Europe/London"
BOARD_CHANNEL = "CBENCHBOARD"
DEFAULT_SEED = 2019


@dataclass(frozen=True)
class Size:
    areas: int = 30
    priorities: int = 12
    milestones: int = 2000
    people: int = 400
    updates: int = 100_000
    months: int = 36
    meetings: int = 36


LARGE = Size()


@dataclass
class Roster:
    """What a load generator needs to know about a generated plan to send sensible requests."""

    title: str
    chair: str  # Slack id of the chair (also an admin)
    people: list[str]  # Slack ids of everyone, in plan order
    owned: dict[str, list[str]] = field(default_factory=dict)  # Slack id -> codes of the milestones they own
    open_owned: dict[str, list[str]] = field(default_factory=dict)  # the same, not complete
    areas: list[tuple[str, str]] = field(default_factory=list)  # (code, title)
    milestones: int = 0
    updates: int = 0


# ---------------------------------------------------------------- words

_AREA_TOPICS = [
    ("Management oversight", "The quality and impact of management oversight of frontline practice"),
    ("Child protection chairs", "The challenge and oversight provided by child protection conference chairs"),
    ("Care planning", "The quality and consistency of care plans for children in care"),
    ("Foster carer reviews", "The timeliness of foster carers' annual reviews"),
    ("Return home interviews", "The take-up and use of return home interviews after a child goes missing"),
    ("Pathway plans", "The quality of pathway plans for care leavers"),
    ("Supervision", "The regularity and reflective quality of social work supervision"),
    ("Early help", "The consistency of thresholds between early help and statutory services"),
    ("Front door", "The timeliness of decisions at the front door and in the MASH"),
    ("Assessments", "The analysis of risk and need in children and family assessments"),
    ("Public law outline", "Pre-proceedings work under the public law outline"),
    ("Private fostering", "The identification and assessment of private fostering arrangements"),
    ("Disabled children", "Assessment and planning for disabled children"),
    ("Exploitation", "The response to children at risk of criminal and sexual exploitation"),
    ("Sufficiency", "The sufficiency of local placements for children in care"),
    ("Permanence", "Timely permanence for children who cannot live at home"),
    ("Life story work", "Life story work and later-life letters for adopted children"),
    ("Health assessments", "The timeliness of initial and review health assessments"),
    ("Education of children in care", "Personal education plans and the virtual school"),
    ("Care leavers' accommodation", "Suitable accommodation and staying put arrangements for care leavers"),
    ("Workforce stability", "Recruitment and retention of experienced social workers"),
    ("Caseloads", "Manageable caseloads for social workers and personal advisers"),
    ("Voice of the child", "How children's wishes and feelings shape plans"),
    ("Independent reviewing officers", "The footprint and escalation of independent reviewing officers"),
    ("Strategy meetings", "Multi-agency attendance at strategy meetings"),
    ("Domestic abuse", "The response to children living with domestic abuse"),
    ("Neglect", "Recognition of, and response to, chronic neglect"),
    ("Audit", "The quality assurance and audit framework"),
    ("Performance information", "The use of performance information by managers"),
    ("Participation", "Participation of children in care in service design"),
    ("Kinship care", "Assessment and support of kinship carers"),
    ("Missing from education", "Children missing from education and elective home education"),
]
_VERBS = [
    "Launch",
    "Embed",
    "Review",
    "Audit",
    "Deliver",
    "Agree",
    "Recruit to",
    "Train managers on",
    "Publish",
    "Pilot",
    "Refresh",
    "Report on",
]
_OBJECTS = [
    "practice standards",
    "the tracker",
    "monthly dip sampling",
    "the escalation protocol",
    "a workshop programme",
    "the quality assurance framework",
    "team plans",
    "the performance dashboard",
    "the multi-agency guidance",
    "the training offer",
    "the review timetable",
    "the new template",
    "the panel",
    "the practice week",
]
_NOTES = [
    "Workshops held with team managers",
    "Dip sample of 20 cases completed",
    "Draft agreed at the practice group",
    "Two posts recruited; induction booked",
    "Report taken to the leadership team",
    "Guidance published on the intranet",
    "Training attended by most of the service",
    "Data cleansed; tracker now accurate",
    "Audit findings shared with teams",
    "Partners signed up to the protocol",
]
_BLOCKERS = [
    "Waiting for the system change from IT",
    "Two vacancies in the team",
    "Partner agency has not confirmed attendance",
    "Venue for the training not yet booked",
    "Budget approval still pending",
]
_NEXT = ["Repeat the audit next quarter", "Share learning at the practice week", "Report to the board"]
_FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Pat",
    "Jamie",
    "Robin",
    "Morgan",
    "Taylor",
    "Casey",
    "Jordan",
    "Riley",
    "Avery",
    "Charlie",
    "Dana",
    "Frankie",
    "Harper",
    "Kit",
    "Lee",
    "Max",
]
_LAST = [
    "Morgan",
    "Carter",
    "Patel",
    "Smith",
    "Jones",
    "Khan",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Clarke",
    "Young",
]
_ROLES = [
    "Team Manager",
    "Service Manager",
    "IRO Operations Manager",
    "Practice Lead",
    "Head of Service",
    "Principal Social Worker",
    "Quality Assurance Lead",
    "Performance Manager",
    "Workforce Development Lead",
    "Strategic Manager",
]
_PRIORITIES = [
    "Improving the quality and consistency of care planning",
    "Strengthening management oversight and supervision",
    "Getting the front door right",
    "Stable homes for children in care",
    "Better outcomes for care leavers",
    "A stable and skilled workforce",
    "Listening to children",
    "Protecting children from exploitation",
    "Timely permanence",
    "Learning from audit",
    "Working with partners",
    "Using performance information well",
]

_OPEN_FINAL = [("on track", 60), ("at risk", 20), ("off track", 8), ("complete", 12)]
_PAST_DUE_FINAL = [("complete", 70), ("off track", 12), ("at risk", 10), ("on track", 8)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([w for w, _ in weighted], weights=[n for _, n in weighted])[0]


# ---------------------------------------------------------------- the calendar


def board_dates(today: date, meetings: int) -> tuple[date, date]:
    """(rule start, next meeting): monthly third-Thursday meetings, the last of them the first after today."""
    nxt = today + relativedelta(day=1, weekday=TH(+3))
    if nxt <= today:
        nxt = today + relativedelta(months=1, day=1, weekday=TH(+3))
    start = nxt + relativedelta(months=-(meetings - 1), day=1)
    return start, nxt


def local_today() -> date:
    return datetime.now(ZoneInfo(TZ)).date()


# ---------------------------------------------------------------- the plan


def plan_dict(seed: int = DEFAULT_SEED, size: Size = LARGE, *, today: date | None = None) -> dict[str, Any]:
    """The plan as a plan-file mapping (docs/plan-file.md), ready for PlanDoc or yaml.safe_dump."""
    rng = random.Random(seed)
    today = today or local_today()
    zone = ZoneInfo(TZ)
    rule_start, next_meeting = board_dates(today, size.meetings)
    first_day = today + relativedelta(months=-size.months)
    begin = datetime.combine(first_day, time(9, 0), tzinfo=zone).astimezone(UTC)
    # Updates end an hour before the start of today's working day, so nothing is "in the future".
    end = datetime.combine(today, time(8, 0), tzinfo=zone).astimezone(UTC)
    span = (end - begin).total_seconds()

    topics = [_AREA_TOPICS[i % len(_AREA_TOPICS)] for i in range(size.areas)]
    areas = [
        {
            "code": f"AFI-{i + 1}",
            "title": title if i < len(_AREA_TOPICS) else f"{title} {i // len(_AREA_TOPICS) + 1}",
            "description": description,
        }
        for i, (title, description) in enumerate(topics)
    ]
    priorities = []
    for i in range(size.priorities):
        served = sorted(rng.sample(range(size.areas), k=min(size.areas, rng.randint(2, 4))))
        priorities.append(
            {
                "code": f"SP-{i + 1}",
                "title": _PRIORITIES[i % len(_PRIORITIES)],
                "period": f"{rule_start.year}-{rule_start.month:02d} onwards",
                "areas": [areas[a]["code"] for a in served],
            }
        )
    serving: dict[int, list[str]] = {a: [] for a in range(size.areas)}
    for p in priorities:
        for code in p["areas"]:
            serving[int(code.split("-")[1]) - 1].append(str(p["code"]))

    width = max(4, len(str(size.people)))
    people: list[dict[str, Any]] = []
    for i in range(size.people):
        person: dict[str, Any] = {
            "key": f"person-{i:0{width}d}",
            "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "role": rng.choice(_ROLES),
            "slack_user_id": f"UB{i:0{width}d}",
        }
        if i == 0:
            person["role"] = "Head of Children's Social Care"
            person["roles"] = ["chair", "admin"]
        elif i < 4:
            person["roles"] = ["admin"]
        people.append(person)
    for i in range(1, size.people):  # one in twenty has cover, some of it ending
        if rng.random() < 0.05:
            other = rng.randrange(1, size.people)
            if other != i:
                people[i]["delegate"] = people[other]["key"]
                if rng.random() < 0.5:
                    people[i]["delegate_until"] = (today + timedelta(days=rng.randint(-30, 90))).isoformat()
    owners = list(range(1, size.people)) or [0]

    # How many updates each milestone gets: uneven, one in a hundred never updated, summing exactly.
    weights = [0.0 if rng.random() < 0.01 else rng.uniform(0.3, 1.7) for _ in range(size.milestones)]
    total_weight = sum(weights) or 1.0
    counts = [math.floor(size.updates * w / total_weight) for w in weights]
    spare = size.updates - sum(counts)
    updatable = [i for i, w in enumerate(weights) if w > 0] or list(range(size.milestones))
    for i in rng.choices(updatable, k=spare) if updatable else []:
        counts[i] += 1

    milestones = []
    digits = max(2, len(str(size.milestones)))
    for i in range(size.milestones):
        area = i * size.areas // max(1, size.milestones)
        options = serving.get(area) or []
        priority = rng.choice(options) if options and rng.random() < 0.9 else None
        owner = people[rng.choice(owners)]
        created = begin + timedelta(seconds=rng.uniform(0, span * 0.6))
        due = (created + timedelta(days=rng.randint(60, 540))).astimezone(zone).date()
        final = _pick(rng, _PAST_DUE_FINAL if due < today else _OPEN_FINAL)
        final_percent = 100 if final == "complete" else rng.randint(5, 95)
        n = counts[i]
        stop = min(end, datetime.combine(due, time(17, 0), tzinfo=zone) + timedelta(days=120))
        if stop <= created:
            stop = end
        window = (stop - created).total_seconds()
        instants = sorted(created + timedelta(seconds=rng.uniform(0, window)) for _ in range(n))
        updates = []
        for j, at in enumerate(instants):
            last = j == n - 1
            status = (
                final
                if last
                else ("on track" if rng.random() < 0.7 else rng.choice(["at risk", "off track"]))
            )
            percent = final_percent if last else min(final_percent, round(final_percent * (j + 1) / n))
            if status == "complete" and not last:
                status = "on track"
            author = owner
            if rng.random() < 0.1:
                author = people[rng.randrange(size.people)]
            update: dict[str, Any] = {
                "at": at.isoformat(),
                "author": author["key"],
                "status": status,
                "percent": percent,
                "note": f"{rng.choice(_NOTES)} ({at.astimezone(zone):%B %Y}).",
                "source": rng.choice(["slack", "slack", "slack", "console", "import"]),
                "key": f"gen{seed}-{i}-{j}",
            }
            if status in ("at risk", "off track"):
                update["blockers"] = rng.choice(_BLOCKERS)
            if rng.random() < 0.2:
                update["next_steps"] = rng.choice(_NEXT)
            if rng.random() < 0.05:
                update["evidence_url"] = f"https://intranet.example.gov.uk/qip/evidence/{i}/{j}"
            updates.append(update)
        status = final if n else "not started"
        milestones.append(
            {
                "code": f"M-{i + 1:0{digits}d}",
                "area": areas[area]["code"],
                **({"priority": priority} if priority else {}),
                "title": f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} for {areas[area]['title'].lower()}",
                "owner": owner["key"],
                "due": due.isoformat(),
                "status": status,
                "percent": final_percent if n else 0,
                "updates": updates,
            }
        )

    return {
        "version": 1,
        "plan": {
            "title": f"Synthetic Quality Improvement Plan (seed {seed})",
            "authority": "Benchmark Borough Council",
            "timezone": TZ,
            "channel": BOARD_CHANNEL,
        },
        "inspection": {
            "type": "ilacs_standard",
            "start": (first_day - timedelta(days=60)).isoformat(),
            "end": (first_day - timedelta(days=49)).isoformat(),
            "judgements": [{"area": "Overall effectiveness", "grade": "requires improvement to be good"}],
        },
        "areas": areas,
        "priorities": priorities,
        "people": people,
        "milestones": milestones,
        "board": {
            "name": "Benchmark Quality Improvement Board",
            "chair": people[0]["key"] if people else None,
            "rrule": f"FREQ=MONTHLY;BYDAY=+3TH;COUNT={size.meetings}",
            "start": rule_start.isoformat(),
            "time": "10:00",
        },
    }


def roster(data: dict[str, Any]) -> Roster:
    """Who is who in a generated plan, for the load generator."""
    by_key = {p["key"]: p["slack_user_id"] for p in data["people"]}
    owned: dict[str, list[str]] = {}
    open_owned: dict[str, list[str]] = {}
    for m in data["milestones"]:
        slack_id = by_key[m["owner"]]
        owned.setdefault(slack_id, []).append(m["code"])
        if m["status"] != "complete":
            open_owned.setdefault(slack_id, []).append(m["code"])
    return Roster(
        title=data["plan"]["title"],
        chair=data["people"][0]["slack_user_id"],
        people=[p["slack_user_id"] for p in data["people"]],
        owned=owned,
        open_owned=open_owned,
        areas=[(a["code"], a["title"]) for a in data["areas"]],
        milestones=len(data["milestones"]),
        updates=sum(len(m["updates"]) for m in data["milestones"]),
    )


def load(sessions: Any, data: dict[str, Any], *, now: datetime | None = None) -> int:
    """Validate the plan like a plan file and import it through the real importer; returns its plan id."""
    from bot.services.planfile import import_plan
    from models.planfile import PlanDoc

    doc = PlanDoc.model_validate(data)
    with sessions.begin() as db:
        report = import_plan(db, doc, now=now or datetime.now(UTC), actor="benchmarks.generate")
    return report.plan_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path, help="plan file to write (YAML), or - for standard output")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--today", type=date.fromisoformat, help="the plan's today (default: today)")
    for name, default in vars(LARGE).items():
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args(argv)
    size = Size(**{name: getattr(args, name) for name in vars(LARGE)})
    data = plan_dict(args.seed, size, today=args.today)

    from bot.services.planfile import dump_yaml

    text = dump_yaml(data)
    if str(args.file) == "-":
        sys.stdout.write(text)
    else:
        args.file.write_text(text, encoding="utf-8")
        print(f"wrote {args.file}: {len(data['milestones'])} milestones, {size.updates} updates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
