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
