from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import func, select

from bot.services.errors import PlanFileError
from bot.services.planfile import dump_yaml, export_plan, import_plan, parse_plan_text, read_plan_file
from models import Area, AuditEvent, Milestone, Person, ProgressUpdate
from seeds import DURHAM

NOW = datetime(2020, 2, 3, 9, 0, tzinfo=UTC)


def durham_dict() -> dict:
    return yaml.safe_load(DURHAM.read_text(encoding="utf-8"))


def problems_of(data: dict) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(yaml.safe_dump(data, allow_unicode=True), "plan.yaml")
    assert "plan.yaml" in str(caught.value)
    return caught.value.problems


# ------------------------------------------------------------ the Durham seed


def test_durham_seed_has_the_inspection_words_exactly():
    doc = read_plan_file(DURHAM)
    assert doc.inspection is not None
    assert [j.grade.value for j in doc.inspection.judgements] == [
        "requires improvement to be good",
        "requires improvement to be good",
        "good",
        "requires improvement to be good",
    ]
    assert doc.inspection.start.isoformat() == "2019-09-09" and doc.inspection.end.isoformat() == "2019-09-20"
    assert [a.description for a in doc.areas] == [
        "The quality and impact of management oversight, including that of child protection chairs.",
        "The timeliness of assessments and support for children who return home",
        "The quality of children's plans, so that they are timebound, and include clear actions and contingency plans",
        "The response to disabled children, children in private fostering arrangements, and children who are "
        "homeless aged 16 and 17",
        "The timeliness of foster carers’ reviews.",  # Ofsted's wording; the others are the council's
        "The tracking and monitoring of children missing from education",
    ]
    assert doc.inspection.published.isoformat() == "2019-10-21"
    assert doc.inspection.lead_inspector == "Rachel Holden" and doc.inspection.action_plan_sent is None
    assert [(e.type.value, e.month) for e in doc.earlier_inspections] == [
        ("focused_visit", "2019-01"),
        ("jtai", "2018-07"),
        ("sif", "2016-02"),
    ]
    assert [p.title for p in doc.priorities] == [
        "Improving the quality and consistency of Care Planning",
        "Reflective discussions with managers and supervisions which are targeted at improving outcomes for children",
    ]
    assert doc.board is not None and doc.board.name == "Social Care Quality Improvement Board"
    chair = next(p for p in doc.people if p.key == doc.board.chair)
    assert chair.role == "Head of Children's Social Care" and "chair" in chair.roles
    roles = {p.role for p in doc.people}
    assert {"IRO Operations Manager", "Strategic Manager for Resources"} <= roles
    assert len(doc.milestones) >= 15


# ------------------------------------------------------------ validation messages


def test_an_invalid_date_names_the_entry_and_field():
    data = durham_dict()
    data["milestones"][4]["due"] = "31.06.18"
    assert problems_of(data) == [
        f'milestones[4] ({data["milestones"][4]["code"]}).due: "31.06.18" is not a date '
        "(write it as YYYY-MM-DD)"
    ]


def test_a_code_in_the_wrong_form_is_told_the_forms_the_plan_takes():
    """The hint names the separators a code may use (a dot too: `1.1`), not only dashes."""
    data = durham_dict()
    data["milestones"][0]["code"] = "1_1"
    assert problems_of(data) == [
        'milestones[0] (1_1).code: "1_1" is not in the expected form '
        "(letters and digits, in parts joined by - or ., e.g. M-07, M1-2 or 1.1)"
    ]


def test_an_impossible_date_is_not_a_date():
    data = durham_dict()
    data["milestones"][0]["due"] = "2020-02-30"
    assert problems_of(data) == [
        'milestones[0] (M-01).due: "2020-02-30" is not a date (write it as YYYY-MM-DD)'
    ]


def test_an_unknown_area_code_is_an_error():
    data = durham_dict()
    data["milestones"][2]["area"] = "AFI-9"
    assert problems_of(data) == ['milestones[2] (M-03).area: no area has the code "AFI-9"']


def test_an_unknown_owner_is_an_error():
    data = durham_dict()
    data["milestones"][1]["owner"] = "nobody"
    assert problems_of(data) == ['milestones[1] (M-02).owner: no person has the key "nobody"']


def test_a_duplicate_milestone_code_is_an_error():
    data = durham_dict()
    data["milestones"][5]["code"] = "M-01"
    assert problems_of(data) == ["milestones[5] (M-01).code: duplicate code M-01"]


def test_a_milestone_may_not_share_its_code_with_an_area():
    data = durham_dict()
    data["milestones"][5]["code"] = "afi-3"  # whatever the case: /qib status AFI-3 would name both
    assert problems_of(data) == [
        "milestones[5] (afi-3).code: afi-3 is also an area's code, so `/qib status afi-3` could not tell "
        "them apart: give one of them another code"
    ]


def test_a_grade_that_is_not_an_ofsted_grade_is_refused():
    data = durham_dict()
    data["inspection"]["judgements"][0]["grade"] = "satisfactory"
    assert problems_of(data) == [
        'inspection.judgements[0].grade: "satisfactory" is not an Ofsted grade (use one of: outstanding, good, '
        "requires improvement to be good, inadequate)"
    ]


def test_the_short_form_requires_improvement_is_the_same_grade():
    data = durham_dict()
    data["inspection"]["judgements"][0]["grade"] = "Requires improvement"
    doc = parse_plan_text(yaml.safe_dump(data))
    assert doc.inspection.judgements[0].grade.value == "requires improvement to be good"


def test_a_malformed_rrule_is_refused():
    data = durham_dict()
    data["board"]["rrule"] = "FREQ=MONTHY;BYDAY=+3TH"
    assert problems_of(data) == [
        "board.rrule: FREQ=MONTHY;BYDAY=+3TH is not a valid RRULE: unknown frequency 'MONTHY' (did you mean "
        "MONTHLY?); use DAILY, WEEKLY, MONTHLY or YEARLY"
    ]


def test_a_rule_that_never_meets_is_refused():
    data = durham_dict()
    data["board"]["rrule"] = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"
    assert problems_of(data) == [
        "board.rrule: FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 is not a valid RRULE: it gives no meeting in the "
        "10 years from 2019-11-01"
    ]


def test_a_misspelt_field_is_refused_not_ignored():
    data = durham_dict()
    data["milestones"][0]["owener"] = "x"
    assert problems_of(data) == [
        "milestones[0] (M-01).owener: is not a field of the plan file (check the spelling)"
    ]


def test_every_problem_is_reported_at_once():
    data = durham_dict()
    data["milestones"][0]["area"] = "AFI-9"
    data["milestones"][1]["owner"] = "ghost"
    assert len(problems_of(data)) == 2


def refusal_of(text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(text, "plan.yaml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("0: x\n", "0"),
        ("true: 1\n", "true"),
        ("version: 1\n5: x\n", "5"),
        ("yes: 1\n", "yes"),
        ("~: 1\n", "~"),
        ("0x10: 1\n", "0x10"),
    ],
)
def test_a_top_level_key_that_is_not_text_is_named_as_written(text, first):
    assert refusal_of(text) == [
        f"{first}: is not a field of the plan file (check the spelling)",
        "plan: is required",
    ]


def test_a_nested_key_that_is_not_text_is_named_as_the_file_wrote_it():
    text = "plan:\n  title: A plan\n  2020-01-01: x\n  authority: Durham\n"
    assert refusal_of(text) == ["plan.2020-01-01: is not a field of the plan file (check the spelling)"]


def test_a_key_that_is_not_text_inside_a_list_entry_names_the_entry():
    data = durham_dict()
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).replace(
        "- code: M-02\n", "- code: M-02\n  12:30: noon\n  false: 1\n", 1
    )  # YAML 1.1 reads 12:30 as the number 750
    assert refusal_of(text) == [
        "milestones[1] (M-02).12:30: is not a field of the plan file (check the spelling)",
        "milestones[1] (M-02).false: is not a field of the plan file (check the spelling)",
    ]


def test_reference_errors_come_with_type_errors_in_file_order():
    data = durham_dict()
    data["milestones"][7]["owner"] = "iro-manager"  # readable entry, unknown person
    data["milestones"][4]["due"] = "31.06.18"  # unreadable entry
    data["areas"][0]["title"] = ""
    data["board"]["chair"] = "nobody"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # board comes last, as in the seed
    assert refusal_of(text) == [
        "areas[0] (AFI-1).title: must not be empty",
        'milestones[4] (M-05).due: "31.06.18" is not a date (write it as YYYY-MM-DD)',
        'milestones[7] (M-08).owner: no person has the key "iro-manager"',
        'board.chair: no person has the key "nobody"',
    ]


def test_a_reference_to_an_entry_that_cannot_be_read_is_not_an_error_too():
    data = durham_dict()
    owner = data["milestones"][7]["owner"]
    person = next(p for p in data["people"] if p["key"] == owner)
    person["email"] = "not an email"
    problems = problems_of(data)
    assert len(problems) == 1 and ".email:" in problems[0]


def test_text_that_is_not_yaml_says_where():
    with pytest.raises(PlanFileError, match=r"line 3, column 1: expected .,. or .\]."):
        parse_plan_text("plan:\n  title: [unclosed\n", "bad.yaml")


def test_a_bad_file_writes_nothing(sessions):
    data = durham_dict()
    data["milestones"][3]["due"] = "soon"
    with pytest.raises(PlanFileError):
        doc = parse_plan_text(yaml.safe_dump(data))
        with sessions.begin() as db:
            import_plan(db, doc, now=NOW)
    with sessions() as db:
        assert db.scalar(select(func.count(Milestone.id))) == 0


# ------------------------------------------------------------ import and export


def table_dump(db, plan_id: int) -> str:
    """Everything the plan holds, ids left out, as YAML: two equal dumps are two identical plans."""
    return dump_yaml(export_plan(db, plan_id))


def test_importing_twice_changes_nothing(sessions):
    doc = read_plan_file(DURHAM)
    with sessions.begin() as db:
        first = import_plan(db, doc, now=NOW)
    with sessions.begin() as db:
        second = import_plan(db, doc, now=NOW)
    assert first.created and not second.created
    assert second.changes == []
    with sessions() as db:
        assert db.scalar(select(func.count(ProgressUpdate.id))) == sum(len(m.updates) for m in doc.milestones)


def test_reimport_updates_entries_by_code_and_adds_new_ones(sessions):
    with sessions.begin() as db:
        import_plan(db, read_plan_file(DURHAM), now=NOW)
    data = durham_dict()
    data["milestones"][0]["title"] = "Key principles document published"
    data["milestones"].append(
        {
            "code": "M-99",
            "area": "AFI-5",
            "title": "Annual review of the monitoring",
            "owner": data["people"][1]["key"],
            "due": "2020-12-31",
        }
    )
    with sessions.begin() as db:
        report = import_plan(db, parse_plan_text(yaml.safe_dump(data)), now=NOW)
    assert any(c.startswith("milestone M-01: title") for c in report.changes)
    assert "new milestone M-99: Annual review of the monitoring" in report.changes
    with sessions() as db:
        assert (
            db.scalar(select(Milestone.title).where(Milestone.code == "M-01"))
            == "Key principles document published"
        )
        assert db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "import")) == 2


def test_a_second_plan_on_the_same_board_channel_is_noted_a_renamed_title_being_one(sessions):
    """A plan is matched by its title and authority: a file that renames the plan makes a second one,
    bound to the same channel. The import says so; importing the same plan again says nothing."""
    with sessions.begin() as db:
        import_plan(db, read_plan_file(DURHAM), now=NOW)
    data = durham_dict()
    data["plan"]["title"] = "Children's Social Care Quality Improvement Plan 2020-21"
    with sessions.begin() as db:
        renamed = import_plan(db, parse_plan_text(yaml.safe_dump(data)), now=NOW)
    assert renamed.created
    [note] = [n for n in renamed.notes if "same board channel" in n]
    assert note.startswith('plan "Children\'s Social Care Quality Improvement Plan" (id ')
    assert "has the same board channel, #qib-board: both plans' digests would go there" in note
    assert "a plan is matched by its title and authority" in note
    with sessions.begin() as db:
        again = import_plan(db, read_plan_file(DURHAM), now=NOW)
    assert [n for n in again.notes if "same board channel" in n] != []  # the renamed copy is still there
    data["plan"]["channel"] = "#qib-board-2020"
    with sessions.begin() as db:
        moved = import_plan(db, parse_plan_text(yaml.safe_dump(data)), now=NOW)
    assert [n for n in moved.notes if "same board channel" in n] == []


def test_reimport_never_deletes_progress_history_or_milestones(sessions):
    with sessions.begin() as db:
        import_plan(db, read_plan_file(DURHAM), now=NOW)
    with sessions() as db:
        before = db.scalar(select(func.count(ProgressUpdate.id)))
    data = durham_dict()
    for m in data["milestones"]:
        m.pop("updates", None)
    dropped = data["milestones"].pop()["code"]
    with sessions.begin() as db:
        report = import_plan(db, parse_plan_text(yaml.safe_dump(data)), now=NOW)
    assert any(dropped in n for n in report.notes)
    with sessions() as db:
        assert db.scalar(select(func.count(ProgressUpdate.id))) == before
        assert db.scalar(select(Milestone.id).where(Milestone.code == dropped)) is not None


def test_a_dry_run_rolled_back_leaves_the_database_as_it_was(sessions):
    with sessions.begin() as db:
        import_plan(db, read_plan_file(DURHAM), now=NOW)
    data = durham_dict()
    data["areas"][0]["title"] = "Oversight"
    with sessions.begin() as db:
        report = import_plan(db, parse_plan_text(yaml.safe_dump(data)), now=NOW)
        db.rollback()
    assert report.changes == ['area AFI-1: title "Management oversight" -> "Oversight"']
    with sessions() as db:
        assert db.scalar(select(Area.title).where(Area.code == "AFI-1")) == "Management oversight"


def test_import_of_an_export_gives_back_an_identical_database(sessions):
    with sessions.begin() as db:
        pid = import_plan(db, read_plan_file(DURHAM), now=NOW).plan_id
    with sessions() as db:
        original = table_dump(db, pid)
        counts = {
            m.__name__: db.scalar(select(func.count()).select_from(m))
            for m in (Milestone, Person, ProgressUpdate)
        }
    # Into an empty database: the same plan, row for row.
    from tests.conftest import empty_all_tables

    empty_all_tables(sessions.engine)
    with sessions.begin() as db:
        pid2 = import_plan(db, parse_plan_text(original), now=NOW).plan_id
    with sessions() as db:
        assert table_dump(db, pid2) == original
        assert {
            m.__name__: db.scalar(select(func.count()).select_from(m))
            for m in (Milestone, Person, ProgressUpdate)
        } == counts
    # And back over itself: nothing to change.
    with sessions.begin() as db:
        assert import_plan(db, parse_plan_text(original), now=NOW).changes == []


def test_export_keeps_text_exactly_including_typographic_apostrophes(sessions):
    data = durham_dict()
    data["areas"][4]["description"] = "The timeliness of foster carers’ reviews."
    with sessions.begin() as db:
        pid = import_plan(db, parse_plan_text(yaml.safe_dump(data, allow_unicode=True)), now=NOW).plan_id
    with sessions() as db:
        exported = export_plan(db, pid)
    assert exported["areas"][4]["description"] == "The timeliness of foster carers’ reviews."


def test_the_inspection_fields_and_earlier_inspections_survive_export_and_import(sessions):
    data = durham_dict()
    data["inspection"]["action_plan_sent"] = "2020-01-28"
    data["earlier_inspections"].insert(
        0,
        {"type": "monitoring_visit", "start": "2019-05-14", "end": "2019-05-15", "published": "2019-06-20",
         "outcome": "Letter: progress in “front door” work."},
    )  # fmt: skip
    with sessions.begin() as db:
        pid = import_plan(db, parse_plan_text(yaml.safe_dump(data, allow_unicode=True)), now=NOW).plan_id
    with sessions() as db:
        exported = export_plan(db, pid)
    assert exported["inspection"]["lead_inspector"] == "Rachel Holden"
    assert exported["inspection"]["action_plan_sent"].isoformat() == "2020-01-28"
    first = exported["earlier_inspections"][0]
    assert first["start"].isoformat() == "2019-05-14" and first["end"].isoformat() == "2019-05-15"
    assert first["published"].isoformat() == "2019-06-20" and first["outcome"].endswith("“front door” work.")
    assert [e.get("month") for e in exported["earlier_inspections"]] == [
        None,
        "2019-01",
        "2018-07",
        "2016-02",
    ]
    with sessions.begin() as db:  # and back again: nothing to change
        assert import_plan(db, parse_plan_text(dump_yaml(exported)), now=NOW).changes == []


def test_an_earlier_inspection_needs_a_day_or_a_month_and_a_sane_order():
    data = durham_dict()
    data["earlier_inspections"] = [
        {"type": "jtai", "outcome": "no date at all"},
        {"type": "focused_visit", "start": "2019-01-16", "end": "2019-01-15"},
    ]
    data["inspection"]["action_plan_sent"] = "2019-10-01"
    problems = problems_of(data)
    assert (
        'earlier_inspections[0]: give its start date, or its month as "YYYY-MM" when the day is not known'
        in problems
    )
    assert "earlier_inspections[1].end: it ends before it starts" in problems
    assert any(p.startswith("inspection.action_plan_sent: the action plan was sent before") for p in problems)


def test_a_month_that_is_not_yyyy_mm_is_refused():
    data = durham_dict()
    data["earlier_inspections"][0]["month"] = "Jan 2019"
    assert any(p.startswith("earlier_inspections[0]") and "month" in p for p in problems_of(data))


# ------------------------------------------------------------ personal data and roles


def test_a_plan_file_with_a_hard_identifier_is_refused_naming_entry_and_field():
    data = durham_dict()
    data["milestones"][1]["updates"] = [
        {
            "at": "2020-01-10T09:00:00Z",
            "author": "iro-ops",
            "status": "on track",
            "percent": 10,
            "note": "NHS 943 476 5919 and DOB 14/03/2012 for Jayden",
            "blockers": "case 1234567 in Liquidlogic",
            "key": "pd-1",
        }
    ]
    problems = problems_of(data)
    assert problems == [
        "milestones[1] (M-02).updates[0].note: holds an NHS number and a date of birth, which must never be "
        "in the plan; remove it",
        "milestones[1] (M-02).updates[0].blockers: holds a case reference, which must never be in the plan; "
        "remove it",
    ]
    assert "5919" not in " ".join(problems) and "1234567" not in " ".join(problems)


def test_staff_emails_in_a_plan_file_are_not_personal_data():
    data = durham_dict()
    data["milestones"][1]["title"] = "Audit led by riley.bennett@example.gov.uk"
    assert parse_plan_text(yaml.safe_dump(data, allow_unicode=True)).milestones[1].title.startswith("Audit")


def test_the_privacy_officer_role_is_imported_and_exported(sessions):
    data = durham_dict()
    data["people"][10]["roles"] = ["privacy_officer"]
    with sessions.begin() as db:
        import_plan(db, parse_plan_text(yaml.safe_dump(data, allow_unicode=True)), now=NOW)
    with sessions() as db:
        officer = db.scalars(select(Person).where(Person.is_privacy_officer.is_(True))).one()
        assert officer.key == data["people"][10]["key"]
        exported = yaml.safe_load(dump_yaml(export_plan(db, officer.plan_id)))
    assert [p["key"] for p in exported["people"] if "privacy_officer" in p.get("roles", [])] == [officer.key]


def test_the_day_a_plan_file_describes_is_kept_and_exported(sessions):
    data = durham_dict()
    assert data["plan"]["as_at"].isoformat() == "2020-02-07"  # the committee paper's date
    data["plan"]["as_at"] = "2020-03-01"
    with sessions.begin() as db:
        plan_id = import_plan(db, parse_plan_text(yaml.safe_dump(data), "plan.yaml"), now=NOW).plan_id
    with sessions() as db:
        exported = export_plan(db, plan_id)
    assert exported["plan"]["as_at"].isoformat() == "2020-03-01"
    assert yaml.safe_load(dump_yaml(exported))["plan"]["as_at"].isoformat() == "2020-03-01"
    with sessions.begin() as db:
        again = import_plan(db, parse_plan_text(dump_yaml(exported), "plan.yaml"), now=NOW)
    assert again.changes == []


def test_a_plan_file_day_that_is_not_a_date_is_refused():
    data = durham_dict()
    data["plan"]["as_at"] = "7 Feb 2020"
    assert any(p.startswith("plan.as_at") for p in problems_of(data))
