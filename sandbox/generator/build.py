"""Build a deterministic institution for (seed, size).

Everything random comes from one ``random.Random(seed)`` and no clock is read, so the same seed and
size always give byte-identical data. Timestamps are drawn from a fixed pool in the summer before
the 2026-2027 school year (when a SIS is typically set up), so any test change made "now" is later.
"""

from __future__ import annotations

import gc
import random
from datetime import UTC, datetime, timedelta

from sandbox.generator import names
from sandbox.generator.catalog import add_catalog, category_id
from sandbox.generator.records import (
    ClassRecord,
    CourseRecord,
    EnrollmentRecord,
    Institution,
    LineItemRecord,
    OrgRecord,
    PersonRecord,
    ResultRecord,
    SessionRecord,
)
from sandbox.generator.sizes import SizeSpec, size_spec

DISTRICT_ID = "dst-0001"
DOMAIN = "springfield.k12.example.org"
SCHOOL_YEAR = "2027"  # OneRoster names a school year by the calendar year it ends in
YEAR_ID, FALL_ID, SPRING_ID = "ses-2027", "ses-2027-t1", "ses-2027-t2"
YEAR_START, YEAR_END = "2026-08-17", "2027-05-28"


def _timestamp_pool(rng: random.Random, count: int = 4096) -> list[str]:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    span = int(timedelta(days=75).total_seconds())
    moments = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(count))
    return [m.strftime("%Y-%m-%dT%H:%M:%S.000Z") for m in moments]


def _level(school_index: int) -> str:
    return ("elementary", "middle", "high")[school_index % 3]


def _calendar(inst: Institution, stamp: str) -> None:
    def session(sid: str, title: str, kind: str, start: str, end: str, parent: str | None) -> None:
        inst.sessions.append(
            SessionRecord(sid, title, kind, start, end, SCHOOL_YEAR, parent, DISTRICT_ID, stamp)
        )

    session(YEAR_ID, "2026-2027", "schoolYear", YEAR_START, YEAR_END, None)
    session(FALL_ID, "Fall 2026", "term", YEAR_START, "2026-12-18", YEAR_ID)
    session(SPRING_ID, "Spring 2027", "term", "2027-01-05", YEAR_END, YEAR_ID)
    session("ses-2027-gp1", "Quarter 1", "gradingPeriod", YEAR_START, "2026-10-16", FALL_ID)
    session("ses-2027-gp2", "Quarter 2", "gradingPeriod", "2026-10-19", "2026-12-18", FALL_ID)
    session("ses-2027-gp3", "Quarter 3", "gradingPeriod", "2027-01-05", "2027-03-12", SPRING_ID)
    session("ses-2027-gp4", "Quarter 4", "gradingPeriod", "2027-03-15", YEAR_END, SPRING_ID)


class _Builder:
    def __init__(self, seed: int, size: str) -> None:
        self.spec: SizeSpec = size_spec(size)
        self.rng = random.Random(seed)
        self.stamps = _timestamp_pool(self.rng)
        self.inst = Institution(seed=seed, size=size)
        self.counters = {"crs": 0, "cls": 0, "stu": 0, "tch": 0, "adm": 0, "li": 0}
        self.result_count = 0
        self.enrollment_count = 0

    def next_id(self, kind: str, width: int) -> str:
        self.counters[kind] += 1
        return f"{kind}-{self.counters[kind]:0{width}d}"

    def stamp(self) -> str:
        # random() * n instead of randrange: several times faster, and we call it ~2M times.
        return self.stamps[int(self.rng.random() * len(self.stamps))]

    def person(self, role: str, school_id: str, grade: str | None) -> PersonRecord:
        rng = self.rng
        kind = {"student": "stu", "teacher": "tch", "administrator": "adm"}[role]
        sid = self.next_id(kind, 7 if kind == "stu" else 6)
        given, family = rng.choice(names.GIVEN_NAMES), rng.choice(names.FAMILY_NAMES)
        number = sid.split("-")[1]
        handle = f"{given[0]}{family}{number}".lower().replace("'", "")
        mail_host = f"students.{DOMAIN}" if role == "student" else DOMAIN
        born = 2020 - int(grade) if grade else 1960 + rng.randrange(35)
        birth = f"{born}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        return PersonRecord(
            source_id=sid,
            role=role,
            username=handle,
            given_name=given,
            family_name=family,
            middle_name=rng.choice(names.GIVEN_NAMES) if rng.random() < 0.3 else "",
            identifier=("S" if role == "student" else "E") + number,
            email=f"{handle}@{mail_host}",
            school_id=school_id,
            grade=grade,
            birth_date=birth,
            sex=rng.choice(("female", "male")),
            modified=self.stamp(),
        )

    def school(self, index: int) -> None:
        spec, rng, inst = self.spec, self.rng, self.inst
        level = _level(index)
        grades = list(names.GRADES[level])
        school_id = f"sch-{index + 1:04d}"
        title = f"{names.SCHOOL_NAMES[index % len(names.SCHOOL_NAMES)]} {level.title()} School"
        if index >= len(names.SCHOOL_NAMES):
            title += f" {index // len(names.SCHOOL_NAMES) + 1}"
        inst.orgs.append(
            OrgRecord(school_id, title, "school", f"SCH{index + 1:04d}", DISTRICT_ID, self.stamp())
        )
        inst.people.append(self.person("administrator", school_id, None))
        subjects = names.SUBJECTS[level]

        # Timetable: class c meets in period c % periods and belongs to course c // sections.
        n_classes = spec.classes_per_school
        courses: list[CourseRecord] = []
        for c in range((n_classes + spec.sections_per_course - 1) // spec.sections_per_course):
            subject = subjects[c % len(subjects)]
            grade = grades[(c // len(subjects)) % len(grades)]
            title = (
                f"{subject} {grade}" if level != "high" else f"{subject} {c // len(subjects) + 1}"
            )
            cid = self.next_id("crs", 6)
            code = f"{subject[:4].upper().replace(' ', '')}-{cid[4:]}"
            courses.append(
                CourseRecord(cid, title, code, [grade], subject, school_id, YEAR_ID, self.stamp())
            )
        inst.courses.extend(courses)

        teachers = [
            self.person("teacher", school_id, None)
            for _ in range((n_classes + spec.sections_per_teacher - 1) // spec.sections_per_teacher)
        ]
        inst.people.extend(teachers)
        classes: list[ClassRecord] = []
        for c in range(n_classes):
            course = courses[c // spec.sections_per_course]
            period = str(c % spec.periods + 1)
            section = c % spec.sections_per_course + 1
            classes.append(
                ClassRecord(
                    source_id=self.next_id("cls", 6),
                    title=f"{course.title} - Section {section}",
                    code=f"{course.code}-{section:02d}",
                    course_id=course.source_id,
                    school_id=school_id,
                    term_ids=[FALL_ID, SPRING_ID],
                    period=period,
                    location=f"Room {100 + c % 60 + (c // 60) * 100}",
                    grades=course.grades,
                    subject=course.subject,
                    modified=self.stamp(),
                )
            )
        inst.classes.extend(classes)
        for c, klass in enumerate(classes):
            teacher = teachers[c // spec.sections_per_teacher]
            self.enroll(teacher.source_id, klass, "teacher", primary=True)

        students = [
            self.person("student", school_id, rng.choice(grades))
            for _ in range(spec.students_per_school)
        ]
        inst.people.extend(students)
        roster: dict[str, list[str]] = {k.source_id: [] for k in classes}
        for slot in range(spec.periods):
            in_period = classes[slot :: spec.periods]
            order = list(range(len(students)))
            rng.shuffle(order)
            for k, s in enumerate(order):
                klass = in_period[k % len(in_period)]
                self.enroll(students[s].source_id, klass, "student", primary=False)
                roster[klass.source_id].append(students[s].source_id)
        for klass in classes:
            self.gradebook(klass, roster[klass.source_id])

    def enroll(self, person_id: str, klass: ClassRecord, role: str, *, primary: bool) -> None:
        self.enrollment_count += 1
        self.inst.enrollments.append(
            EnrollmentRecord(
                f"enr-{self.enrollment_count:08d}",
                person_id,
                klass.source_id,
                klass.school_id,
                role,
                primary,
                YEAR_START,
                YEAR_END,
                self.stamp(),
            )
        )

    def gradebook(self, klass: ClassRecord, student_ids: list[str]) -> None:
        rng, spec = self.rng, self.spec
        for n in range(spec.line_items_per_class):
            kind = names.ASSIGNMENTS[(n + int(klass.period)) % len(names.ASSIGNMENTS)]
            week = 2 + n * 4
            assigned = datetime(2026, 8, 17, tzinfo=UTC) + timedelta(weeks=week)
            due = assigned + timedelta(days=7)
            item = LineItemRecord(
                source_id=self.next_id("li", 7),
                title=f"{kind} {n + 1}",
                class_id=klass.source_id,
                school_id=klass.school_id,
                term_id=FALL_ID,
                assign_date=assigned.strftime("%Y-%m-%dT08:00:00.000Z"),
                due_date=due.strftime("%Y-%m-%dT23:59:00.000Z"),
                max_score=100.0,
                category_id=category_id(kind),
                modified=self.stamp(),
            )
            self.inst.line_items.append(item)
            score_date = due.strftime("%Y-%m-%d")
            for student_id in student_ids:
                if spec.graded_share < 1.0 and rng.random() >= spec.graded_share:
                    continue
                self.result_count += 1
                draw = rng.random()
                missing = draw < 0.03
                self.inst.results.append(
                    ResultRecord(
                        source_id=f"res-{self.result_count:08d}",
                        line_item_id=item.source_id,
                        student_id=student_id,
                        class_id=klass.source_id,
                        score=0.0 if missing else float(55 + int(draw * 1000) % 46),
                        score_status="not submitted" if missing else "fully graded",
                        score_date=score_date,
                        comment=names.COMMENTS[int(draw * 7919) % len(names.COMMENTS)],
                        modified=self.stamps[int(draw * 104729) % len(self.stamps)],
                    )
                )


def generate(seed: int, size: str) -> Institution:
    """The institution for ``(seed, size)``; same arguments, same data."""
    # Millions of small objects would trigger the cyclic GC over and over (a third of the time);
    # none of them form cycles, so pause it while building.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(seed, size)
    finally:
        if was_enabled:
            gc.enable()


def _generate(seed: int, size: str) -> Institution:
    builder = _Builder(seed, size)
    inst = builder.inst
    stamp = builder.stamp()
    inst.orgs.append(
        OrgRecord(
            DISTRICT_ID, "Springfield Unified School District", "district", "SUSD", None, stamp
        )
    )
    _calendar(inst, stamp)
    for index in range(builder.spec.schools):
        builder.school(index)
    add_catalog(inst, stamp)
    return inst
