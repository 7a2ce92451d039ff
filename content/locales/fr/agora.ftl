# Chaînes de l'interface d'Agora, français.

nav-map = Carte
nav-sites = Sites
nav-new-site = Nouveau site
nav-import = Importer
nav-export = Exporter en GeoJSON
nav-logout = Se déconnecter

login-title = Connexion à Agora
login-intro = Agora aide les villes, la police et les exploitants à protéger les espaces publics. Connectez-vous avec le compte fourni par votre organisation.
login-username = Identifiant
login-password = Mot de passe
login-submit = Se connecter
login-throttled = Trop d'échecs de connexion pour ce compte. Réessayez dans { $seconds } s.
login-failed = Identifiant ou mot de passe incorrect.

title-map = Carte
title-sites = Sites
title-new-site = Nouveau site
title-edit-site = Modifier { $name }
title-import = Importer des sites
title-candidates = Espaces publics candidats
title-error = Une erreur est survenue

map-title = Espaces publics
map-intro = Les sites de votre organisation sur les rues, zones piétonnes et obstacles de la ville, tirés d'OpenStreetMap.
map-open-site = Ouvrir le site
map-loading = Chargement de la carte…
legend-site = Site
legend-pedestrian = Zone piétonne
legend-road = Route
legend-barrier = Borne ou obstacle

sites-title = Sites
sites-none = Aucun site pour l'instant.
site-name = Nom
site-kind = Type
site-area = Surface
site-capacity = Capacité (personnes)
site-source = Origine du contour
site-operators = Exploitants
site-opening-hours = Heures d'ouverture
site-tags = Étiquettes
site-version = Version
site-polygon = Contour (GeoJSON)
site-edit = Modifier
site-delete = Supprimer le site
area-square-metres = { $area } m²

form-one-per-line = un par ligne
form-tags-help = une paire clé=valeur par ligne
form-polygon-help = dessinez-le sur la carte ou collez un Polygon GeoJSON
form-save = Enregistrer
form-cancel = Annuler

import-title = Importer des sites
import-geojson-title = Depuis un fichier GeoJSON
import-geojson-intro = Une FeatureCollection d'entités Polygon ou MultiPolygon avec les propriétés name et kind (et, au besoin, capacity, operators, opening_hours, tags). Chaque entité est d'abord vérifiée ; si l'une est erronée, rien n'est importé.
import-geojson-submit = Importer le GeoJSON
import-osm-title = Depuis OpenStreetMap
import-osm-intro = Un extrait OpenStreetMap (.osm.pbf, .osm ou .osm.gz). Agora liste les places, zones et rues piétonnes, marchés, parvis de gare et lieux de culte qu'il y trouve ; vous choisissez ceux à ajouter.
import-osm-submit = Chercher les candidats

candidates-title = Espaces publics candidats
candidates-intro = Cochez les espaces à ajouter comme sites. Leurs contours viennent d'OpenStreetMap (© les contributeurs d'OpenStreetMap).
candidates-reason = Trouvé comme
candidates-none = Aucun espace public candidat dans ce fichier.
candidates-submit = Ajouter la sélection comme sites

notice-site-created = Site créé.
notice-site-updated = Site enregistré.
notice-site-deleted = Site supprimé.
notice-sites-imported = { $count ->
    [one] Un site importé.
   *[other] { $count } sites importés.
}

error-home = Retour à l'accueil
error-not-found = Introuvable.
error-forbidden = Votre rôle ne permet pas cette action.
error-conflict = Quelqu'un d'autre a modifié cet enregistrement entre-temps. Rechargez-le et refaites votre modification.
error-csrf = Le formulaire a expiré ou ne provient pas d'Agora. Rechargez la page et réessayez.
error-internal = Une erreur interne s'est produite. Elle a été consignée ; veuillez réessayer plus tard.
error-invalid = La saisie n'a pas pu être acceptée : { $detail }
error-no-selection = Sélectionnez au moins un candidat.
error-too-large = Le fichier envoyé est trop volumineux.

nav-users = Utilisateurs
title-users = Utilisateurs
title-audit = Journal d'audit
users-title = Utilisateurs de votre organisation
users-username = Identifiant
users-display-name = Nom
users-role = Rôle
users-created = Créé le
users-password = Mot de passe
users-password-help = au moins 12 caractères ; une phrase de passe est idéale
users-add-title = Ajouter un utilisateur
users-add-submit = Ajouter l'utilisateur
notice-user-created = Utilisateur créé.
audit-title = Journal d'audit
audit-intro = Qui a fait quoi, du plus récent au plus ancien : connexions, modifications de sites, imports et exports.
audit-when = Quand (UTC)
audit-who = Qui
audit-action = Action
audit-subject = Enregistrement
audit-detail = Détail

role-admin = administrateur
role-assessor = évaluateur
role-planner = planificateur
role-viewer = lecteur

kind-square = Place
kind-pedestrian_street = Rue piétonne
kind-promenade = Promenade
kind-transport_hub = Pôle de transport
kind-shopping_centre = Centre commercial
kind-place_of_worship = Lieu de culte
kind-open_air_market = Marché de plein air
kind-concert_hall = Salle de concert
kind-stadium = Stade
kind-tourist_site = Site touristique
kind-event_space = Espace événementiel

## Analyse d'approche des véhicules (véhicule-bélier)
hvm-heading = Approche des véhicules
hvm-title = Approche des véhicules — { $name }
hvm-link = Analyse d'approche des véhicules
site-hvm-latest = Dernière analyse ({ $date }) : { $open } points d'entrée sur { $entries } ouverts à un véhicule.
hvm-none = Ce site n'a pas encore d'analyse d'approche des véhicules.
hvm-study-meta = Analyse du { $date } · moteur { $engine } · carte { $map }
hvm-summary = { $entries } points d'entrée, dont { $open } ouverts à au moins une classe de véhicule.
hvm-fastest = Le plus rapide : { $vehicle } en { $entry }, { $speed } km/h (exige { $rating }).
hvm-open-entries = { $count } points d'entrée ouverts
hvm-physics-note = Les vitesses sont les plus hautes qu'un véhicule puisse physiquement atteindre au périmètre (puissance, adhérence, renversement, rayon de braquage), sens uniques et restrictions d'accès ignorés sauf si l'analyse les respecte. Chaque ligne montre le véhicule le plus énergétique ; ouvrez le détail pour chaque classe.
hvm-col-entry = Entrée
hvm-col-way = Voie
hvm-col-vehicle = Véhicule
hvm-col-status = État
hvm-col-angle = Angle
hvm-col-runup = Élan (m)
hvm-col-rating = Classement requis
hvm-entry-closed = Fermée à tous les véhicules analysés
hvm-all-vehicles = Toutes les classes de véhicules
hvm-width-default = largeur non cartographiée : valeur par défaut du type de voie
hvm-diagnostics = Remarques sur les données cartographiques ({ $count })
hvm-barriers-face = les barrières subissent { $speed } km/h, exigent { $rating }
hvm-status-open = ouverte
hvm-status-closed-by-barriers = fermée par des barrières
hvm-status-too-narrow = trop étroite
hvm-status-not-permitted = non autorisée
hvm-status-unreachable = inaccessible
hvm-run-heading = Lancer une nouvelle analyse
hvm-vehicles = Classes de véhicules
hvm-rules = Code de la route
hvm-rules-worst = Pire cas : sens uniques et restrictions d'accès ignorés
hvm-rules-compliant = Respectueux : sens uniques et restrictions d'accès respectés
hvm-changes = Barrières temporaires et ouvertures
hvm-changes-help = Tracez une ligne sur la carte pour ajouter une barrière du type et du classement ci-dessous ; placez un marqueur pour ouvrir un passage (voie de secours, bornes retirées pour maintenance). Elles s'appliquent à la prochaine analyse.
hvm-barrier-kind = Type de barrière
hvm-barrier-rating = Son classement (facultatif)
hvm-opening-width = Largeur d'une ouverture (m)
hvm-change-barrier = Barrière
hvm-change-opening = Ouverture
hvm-change-remove = Retirer
hvm-run = Lancer l'analyse
hvm-previous = Analyses précédentes
hvm-legend = Vitesse d'approche (km/h)
hvm-paths-for = Trajectoires d'approche de
