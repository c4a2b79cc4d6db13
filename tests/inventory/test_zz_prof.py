import cProfile, pstats, time
import pytest
from inventory.bench import csv_import

@pytest.mark.django_db
def test_prof(lyon):
    pr = cProfile.Profile(); pr.enable()
    csv_import(rows=20000)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(30)
