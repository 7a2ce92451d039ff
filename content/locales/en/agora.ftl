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
