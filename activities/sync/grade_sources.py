"""One class's gradebook as an LMS keeps it, read into one shape whatever the LMS: categories,
score scales, graded items and the scores of SIS-known students.

Canvas: assignment groups with their assignments nested (``include[]=assignments``), grading
standards for letter-graded assignments, submissions with their user (``include[]=user``).
Moodle: the user grade report (items, ``categoryid``, every student's raw grade) and
core_grades_get_gradeitems (the category names the report leaves out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from connectors.canvas import CanvasClient, sis
from connectors.errors import NotFound
from connectors.moodle import MoodleClient

LETTER_GRADED = frozenset({"letter_grade", "gpa_scale"})


@dataclass
class Category:
    key: str  # the LMS's own id
    title: str
    weight: float | None = None


@dataclass
class ScoreScale:
    key: str
    title: str
    values: list[tuple[str, str]]  # (text score, its lower bound in percent)


@dataclass
class Item:
    key: str
    title: str
    assign_date: str
    due_date: str
    result_min: float
    result_max: float
    category: str | None = None
    scale: str | None = None


@dataclass
class Score:
    item: str
    student: str  # the student's SIS id
    score: float
    text_score: str | None = None


@dataclass
class ClassGradebook:
    categories: list[Category] = field(default_factory=list)
    scales: list[ScoreScale] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)


def stamp(value: str | int | None = None) -> str:
    """An ISO 8601 UTC date-time as OneRoster writes it, from Canvas' text or Moodle's epoch."""
    if isinstance(value, int):
        moment = datetime.fromtimestamp(value, UTC)
    elif value:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        moment = datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def read_canvas(canvas: CanvasClient, class_id: str) -> ClassGradebook:
    course = sis("course", class_id)
    book = ClassGradebook()
    used_standards: set[int] = set()
    async for group in canvas.list_assignment_groups(course, include=["assignments"]):
        book.categories.append(Category(str(group.id), group.name, group.group_weight))
        for assignment in group.assignments:
            due = stamp(assignment.due_at)
            standard = (
                assignment.grading_standard_id if assignment.grading_type in LETTER_GRADED else None
            )
            if standard is not None:
                used_standards.add(standard)
            book.items.append(
                Item(
                    key=f"a{assignment.id}",
                    title=assignment.name,
                    assign_date=due,
                    due_date=due,
                    result_min=0.0,
                    result_max=float(assignment.points_possible or 100.0),
                    category=str(group.id),
                    scale=str(standard) if standard is not None else None,
                )
            )
    if used_standards:
        async for scheme in canvas.list_grading_standards(course):
            if scheme.id in used_standards:
                values = [(e.name, f"{e.value * 100:g}") for e in scheme.grading_scheme]
                book.scales.append(ScoreScale(str(scheme.id), scheme.title, values))
    letter = {i.key for i in book.items if i.scale}
    async for submission in canvas.list_submissions(course, include=["user"]):
        student = submission.user.sis_user_id if submission.user else None
        if submission.score is None or not student:
            continue  # ungraded, or not a SIS student: nothing to pass back
        key = f"a{submission.assignment_id}"
        book.scores.append(
            Score(key, student, submission.score, submission.grade if key in letter else None)
        )
    return book


async def read_moodle(moodle: MoodleClient, class_id: str) -> ClassGradebook:
    """The class is the course whose ``idnumber`` is the class's sourcedId (as roster sync
    makes it). Moodle's grade items carry no dates: the course's start and end stand in."""
    courses = await moodle.courses_by_field("idnumber", class_id)
    if not courses:
        raise NotFound(f"moodle: no course with idnumber {class_id!r}", system="moodle")
    course = courses[0]
    start = stamp(course.startdate or course.timemodified or None)
    end = stamp(course.enddate) if course.enddate else start
    names = {i.id: i for i in await moodle.course_grade_items(course.id)}
    book = ClassGradebook()
    reports = await moodle.grade_items(course.id)
    seen_items: set[int] = set()
    categories: dict[int, str] = {}
    for report in reports:
        for item in report.gradeitems:
            if item.itemtype not in ("mod", "manual") or item.id not in names:
                continue
            if item.id not in seen_items:
                seen_items.add(item.id)
                if item.categoryid is not None and names[item.id].category:
                    categories.setdefault(item.categoryid, names[item.id].category or "")
                book.items.append(
                    Item(
                        key=f"i{item.id}",
                        title=names[item.id].itemname or item.itemname or f"item {item.id}",
                        assign_date=start,
                        due_date=end,
                        result_min=item.grademin,
                        result_max=item.grademax,
                        category=str(item.categoryid) if item.categoryid in categories else None,
                    )
                )
            if item.graderaw is not None and report.useridnumber:
                book.scores.append(Score(f"i{item.id}", report.useridnumber, item.graderaw))
    book.categories = [Category(str(k), v) for k, v in sorted(categories.items())]
    return book
