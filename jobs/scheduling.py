"""Running a job later: django-q2 has no delayed tasks, but a one-off Schedule is one."""

from __future__ import annotations

import datetime

from django_q.models import Schedule

from jobs.models import Job


def retry_later(job: Job, when: datetime.datetime) -> Schedule:
    return Schedule.objects.create(
        name=job.retry_schedule_name,
        func="jobs.tasks.run",
        args=repr(str(job.pk)),
        schedule_type=Schedule.ONCE,
        repeats=1,
        next_run=when,
    )
