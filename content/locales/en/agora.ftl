# Agora user-interface strings, English. Every key here must exist in every other language
# (checked by the web crate's tests).

nav-map = Map
nav-sites = Sites
nav-new-site = New site
nav-import = Import
nav-export = Export GeoJSON
nav-logout = Log out

login-title = Log in to Agora
login-intro = Agora helps cities, police and operators protect public spaces. Log in with the account your organisation gave you.
login-username = Username
login-password = Password
login-submit = Log in
login-throttled = Too many failed logins for this account. Try again in { $seconds } s.
login-failed = Invalid username or password.

title-map = Map
title-sites = Sites
title-new-site = New site
title-edit-site = Edit { $name }
title-import = Import sites
title-candidates = Candidate public spaces
title-error = Something went wrong

map-title = Public spaces
map-intro = Your organisation's sites over the city's streets, pedestrian areas and barriers, drawn from OpenStreetMap.
map-open-site = Open site
map-loading = Loading the map…
legend-site = Site
legend-pedestrian = Pedestrian area
legend-road = Road
legend-barrier = Bollard or barrier

sites-title = Sites
sites-none = No sites yet.
site-name = Name
site-kind = Kind
site-area = Area
site-capacity = Capacity (people)
site-source = Outline source
site-operators = Operators
site-opening-hours = Opening hours
site-tags = Tags
site-version = Version
site-polygon = Outline (GeoJSON)
site-edit = Edit
site-delete = Delete site
area-square-metres = { $area } m²

form-one-per-line = one per line
form-tags-help = one key=value per line
form-polygon-help = draw it on the map, or paste a GeoJSON Polygon
form-save = Save
form-cancel = Cancel

import-title = Import sites
import-geojson-title = From a GeoJSON file
import-geojson-intro = A FeatureCollection of Polygon or MultiPolygon features with the properties name and kind (and optionally capacity, operators, opening_hours, tags). Every feature is checked first; if one is wrong, nothing is imported.
import-geojson-submit = Import GeoJSON
import-osm-title = From OpenStreetMap
import-osm-intro = An OpenStreetMap extract (.osm.pbf, .osm or .osm.gz). Agora lists the squares, pedestrian areas and streets, markets, station forecourts and places of worship it finds; you pick the ones to add.
import-osm-submit = Find candidates

candidates-title = Candidate public spaces
candidates-intro = Tick the spaces to add as sites. Their outlines come from OpenStreetMap (© OpenStreetMap contributors).
candidates-reason = Found as
candidates-none = No candidate public spaces in this file.
candidates-submit = Add selected as sites

notice-site-created = Site created.
notice-site-updated = Site saved.
notice-site-deleted = Site deleted.
notice-sites-imported = { $count ->
    [one] One site imported.
   *[other] { $count } sites imported.
}

error-home = Back to the start page
error-not-found = Not found.
error-forbidden = Your role does not allow this.
error-conflict = Someone else changed this record in the meantime. Reload it and make your change again.
error-csrf = The form had expired or did not come from Agora. Reload the page and try again.
error-internal = An internal error occurred. It has been logged; please try again later.
error-invalid = The input could not be accepted: { $detail }
error-no-selection = Select at least one candidate.
error-too-large = The upload is too large.

nav-users = Users
title-users = Users
title-audit = Audit trail
users-title = Users of your organisation
users-username = Username
users-display-name = Name
users-role = Role
users-created = Created
users-password = Password
users-password-help = at least 12 characters; a passphrase is best
users-add-title = Add a user
users-add-submit = Add user
notice-user-created = User created.
audit-title = Audit trail
audit-intro = Who did what, newest first: logins, changes to sites, imports and exports.
audit-when = When (UTC)
audit-who = Who
audit-action = Action
audit-subject = Record
audit-detail = Detail

role-admin = administrator
role-assessor = assessor
role-planner = planner
role-viewer = viewer

kind-square = Square
kind-pedestrian_street = Pedestrian street
kind-promenade = Promenade
kind-transport_hub = Transport hub
kind-shopping_centre = Shopping centre
kind-place_of_worship = Place of worship
kind-open_air_market = Open-air market
kind-concert_hall = Concert hall
kind-stadium = Stadium
kind-tourist_site = Tourist site
kind-event_space = Event space

## Hostile-vehicle (vehicle-approach) analysis
hvm-heading = Vehicle approach
hvm-title = Vehicle approach — { $name }
hvm-link = Vehicle approach analysis
site-hvm-latest = Last analysis ({ $date }): { $open } of { $entries } entry points open to a vehicle.
hvm-none = No vehicle-approach analysis of this site yet.
hvm-study-meta = Analysis of { $date } · engine { $engine } · map { $map }
hvm-summary = { $entries } entry points, { $open } open to at least one vehicle class.
hvm-fastest = Fastest: { $vehicle } at { $entry }, { $speed } km/h (needs { $rating }).
hvm-open-entries = { $count } open entry points
hvm-physics-note = Speeds are the highest a vehicle can physically reach at the perimeter (engine power, grip, rollover, turning radius), with one-way and access rules ignored unless the analysis obeys them. Each line shows the most energetic vehicle; open the details for every class.
hvm-col-entry = Entry
hvm-col-way = Way
hvm-col-vehicle = Vehicle
hvm-col-status = Status
hvm-col-angle = Angle
hvm-col-runup = Run-up (m)
hvm-col-rating = Required rating
hvm-entry-closed = Closed to every vehicle analysed
hvm-all-vehicles = Every vehicle class
hvm-width-default = width not mapped: the default for the way's kind
hvm-diagnostics = Notes on the map data ({ $count })
hvm-barriers-face = barriers face { $speed } km/h, need { $rating }
hvm-status-open = open
hvm-status-closed-by-barriers = closed by barriers
hvm-status-too-narrow = too narrow
hvm-status-not-permitted = not permitted
hvm-status-unreachable = unreachable
hvm-run-heading = Run a new analysis
hvm-vehicles = Vehicle classes
hvm-rules = Traffic rules
hvm-rules-worst = Worst case: one-way and access rules ignored
hvm-rules-compliant = Compliant: one-way and access rules obeyed
hvm-changes = Temporary barriers and openings
hvm-changes-help = Draw a line on the map to add a barrier of the kind and rating below; place a marker to open a gap (an emergency lane, bollards out for maintenance). They apply to the next run.
hvm-barrier-kind = Kind of barrier
hvm-barrier-rating = Its rating (optional)
hvm-opening-width = Width of an opening (m)
hvm-change-barrier = Barrier
hvm-change-opening = Opening
hvm-change-remove = Remove
hvm-run = Run the analysis
hvm-previous = Earlier analyses
hvm-legend = Approach speed (km/h)
hvm-paths-for = Approach paths of

## Crowd evacuation studies
crowd-heading = Crowd evacuation
crowd-title = Crowd evacuation — { $name }
crowd-link = Crowd evacuation study
crowd-none = No crowd evacuation study of this site yet.
crowd-study-meta = Study of { $date } · engine { $engine } · map { $map }
crowd-study-label = { $agents } people, { $time } s
crowd-evacuation-time = Evacuation time: { $time } s
crowd-evacuation-unfinished = Not everyone got out: { $remaining } people still inside at { $time } s ({ $stalled } of them stuck).
crowd-agents = { $evacuated } of { $agents } people out, { $area } m² walkable, { $exits } exits.
crowd-peak = Peak density { $density } persons/m² at { $time } s (level of service { $los }).
crowd-layer = Map layer
crowd-layer-density = Density over time
crowd-layer-los = Level of service at the peak (Fruin)
crowd-play = Play
crowd-pause = Pause
crowd-time = Time
crowd-curve = People inside over time
crowd-curve-time = Time (s)
crowd-curve-inside = People inside
crowd-exits = Exits
crowd-col-exit = Exit
crowd-col-width = Width (m)
crowd-col-count = People
crowd-col-first = First out (s)
crowd-col-last = Last out (s)
crowd-col-flow = Flow (p/s)
crowd-col-specific-flow = Per metre (p/(m s))
crowd-model-note = Collision-free speed model (Tordeux et al. 2015, as in JuPedSim), validated against the RiMEA and NIST test cases. Exits are where streets and paths leave the outline, as wide as the way; design codes assume 1.3 persons per metre and second through an exit.
crowd-diagnostics = Notes on the site's data ({ $count })
crowd-run-heading = Run a new study
crowd-population = Population
crowd-population-mode = How many people
crowd-population-capacity = The site's capacity
crowd-population-count = Number of people
crowd-population-density = Persons per m²
crowd-population-value = Number or density
crowd-speed-mode = Walking speeds
crowd-speed-weidmann = Weidmann: 1.34 ± 0.26 m/s
crowd-speed-fixed = Everyone at one speed
crowd-speed = Speed (m/s, when fixed)
crowd-premovement-min = Pre-movement time from (s)
crowd-premovement-max = to (s)
crowd-seed = Random seed
crowd-max-time = Time limit (s)
crowd-changes = Stalls, barriers and exits
crowd-changes-help = Draw a polygon on the map for a stall or stage, a line for a barrier people cannot cross (across a street it closes that exit), a marker on the outline for an extra exit of the width below. They apply to the next run.
crowd-exit-width = Width of an added exit (m)
crowd-change-exit = Exit
crowd-change-obstacle = Stall
crowd-change-barrier = Barrier
crowd-hvm-barriers = Also the walls, fences and gates added in the vehicle study of
crowd-hvm-barriers-none = none
crowd-run = Run the simulation
crowd-previous = Earlier studies
crowd-legend-density = Density (persons/m²)
crowd-legend-los = Level of service (Fruin)
