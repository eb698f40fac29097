"""The admin API (`/__admin/*`): our own JSON API to steer the simulation."""
