//! OSM import (being written).
