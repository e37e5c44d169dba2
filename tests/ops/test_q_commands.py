"""django-q2's own views of the cluster, for an operator at a terminal."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.ops.workers import a_cluster_reports


@pytest.mark.django_db
def test_qinfo_prints_the_clusters_and_the_queue(capsys):
    # Without blessed it stops at "Blessed is not installed".
    a_cluster_reports()
    call_command("qinfo")
    out = capsys.readouterr().out
    assert "Clusters" in out and "Queued" in out
    assert "Blessed" not in out


@pytest.mark.django_db
def test_qmonitor_draws_the_running_cluster(capsys):
    a_cluster_reports()
    call_command("qmonitor", run_once=True)
    out = capsys.readouterr().out
    assert "Host" in out and "State" in out
    assert "Blessed" not in out
