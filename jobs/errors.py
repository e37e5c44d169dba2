"""What can go wrong with a job itself, rather than with its video or its writer: the
worker's own failures, in the one error model (blogtube_site.errors)."""

from __future__ import annotations

from blogtube_site.errors import BlogTubeError, NotAllowed, WrongState


class InvalidTransition(Exception):
    """A status change the state machine does not allow (or another process won)."""


class UnexpectedError(BlogTubeError):
    code = "INTERNAL_ERROR"
    message = "BlogTube hit an unexpected error. The details are in the server log."
    suggestions = ("Retry the job; if it fails again, report the job id.",)


class TimedOut(BlogTubeError):
    code = "TIMEOUT"
    transient = True
    message = "The job took longer than the worker allows and was stopped."
    suggestions = ("Retry the job.", "Raise BLOGTUBE_JOB_TIMEOUT for very long videos.")


class WorkerLost(BlogTubeError):
    code = "WORKER_LOST"
    transient = True
    message = "The worker running this job stopped before it finished (a crash or a restart)."
    suggestions = ("Retry the job; if it keeps happening, look at the worker's log.",)


class VideoInUse(NotAllowed):
    code = "VIDEO_IN_USE"
    message = "Other people's jobs use this video: only staff can delete it."
    suggestions = (
        "Delete your own jobs of this video from their pages instead.",
        "Ask a staff member to delete the video.",
    )


class VideoBusy(WrongState):
    code = "VIDEO_BUSY"
    message = "A job on this video is queued or running: the video cannot be deleted now."
    suggestions = ("Wait for the job to finish, or cancel it, then delete the video again.",)
