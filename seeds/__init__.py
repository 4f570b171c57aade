"""Plans shipped as data: the Durham 2019 ILACS response plan."""

from pathlib import Path

DURHAM = Path(__file__).with_name("durham_ilacs_2019.yaml")
