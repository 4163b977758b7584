"""aldersvennlig_gis: score sites for age-friendly housing by how an older
pedestrian reaches shops, health services, transit, benches and lit streets."""

__version__ = "0.1.0"
