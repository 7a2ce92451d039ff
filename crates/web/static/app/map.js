// Agora's map: the city drawn from Agora's own OpenStreetMap import (roads, paths, pedestrian areas,
// buildings, bollards and barriers), the organisation's sites as polygons, and, on the site form,
// drawing and editing a site's outline. No inline script: the page passes settings as data-* attributes
// (the Content-Security-Policy allows only scripts from this server).
(function () {
  'use strict';

  var element = document.getElementById('map');
  if (!element || !window.L) { return; }
  var settings = element.dataset;

  var map = L.map(element, { zoomControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution('© OpenStreetMap contributors (ODbL)');
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { maxZoom: 20, opacity: 0.6 }).addTo(map);
  }

  function parseExtent(text) {
    if (!text) { return null; }
    var numbers = text.split(',').map(Number);
    if (numbers.length !== 4 || numbers.some(isNaN)) { return null; }
    return L.latLngBounds([numbers[1], numbers[0]], [numbers[3], numbers[2]]);
  }
  var extent = parseExtent(settings.extent);
  if (extent) { map.fitBounds(extent); } else { map.setView([48.1372, 11.5755], 16); }

  // The base map is drawn on a canvas: thousands of features stay fast, and sites (SVG) stay on top.
  var canvas = L.canvas({ padding: 0.2 });
  var layerStyles = {
    road: { color: '#8a8a8a', weight: 4, opacity: 0.9 },
    path: { color: '#b9a27a', weight: 2, opacity: 0.9, dashArray: '3 3' },
    pedestrian_area: { color: '#c9b98f', weight: 1, fillColor: '#efe6cc', fillOpacity: 0.8 },
    building: { color: '#b0a8a0', weight: 1, fillColor: '#d9d0c7', fillOpacity: 0.9 },
    barrier: { color: '#1f3a93', weight: 2, opacity: 1 },
    rail: { color: '#555555', weight: 1.5, dashArray: '6 3' },
    landuse: { color: '#9cc59c', weight: 1, fillColor: '#cfe8cf', fillOpacity: 0.6 }
  };
  var drawOrder = ['landuse', 'pedestrian_area', 'building', 'road', 'path', 'rail', 'barrier'];
  var basemap = L.geoJSON(null, {
    renderer: canvas,
    interactive: false,
    style: function (feature) { return layerStyles[feature.properties.layer] || layerStyles.road; },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { renderer: canvas, radius: 2.5, color: '#1f3a93', weight: 1, fillOpacity: 1, interactive: false });
    }
  }).addTo(map);

  var basemapRequest = 0;
  function loadBasemap() {
    var bounds = map.getBounds();
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].join(',');
    var request = ++basemapRequest;
    fetch('/api/basemap?bbox=' + encodeURIComponent(bbox), { credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) {
        if (!collection || request !== basemapRequest) { return; }
        collection.features.sort(function (a, b) {
          return drawOrder.indexOf(a.properties.layer) - drawOrder.indexOf(b.properties.layer);
        });
        basemap.clearLayers();
        basemap.addData(collection);
        element.dataset.basemapFeatures = String(collection.features.length);
      });
  }
  var basemapTimer = null;
  map.on('moveend', function () {
    clearTimeout(basemapTimer);
    basemapTimer = setTimeout(loadBasemap, 150);
  });
  loadBasemap();

  // One line of a list of drawn changes, with a button that removes it.
  function addRemovableItem(list, label, remove) {
    var item = document.createElement('li');
    item.textContent = label + ' ';
    var button = document.createElement('button');
    button.type = 'button'; button.className = 'button secondary'; button.textContent = settings.labelRemove;
    button.addEventListener('click', remove);
    item.appendChild(button);
    list.appendChild(item);
  }

  // A legend built node by node (the Content-Security-Policy refuses inline style attributes):
  // a title, then one swatch and label per entry.
  function swatchLegend(title, entries) {
    var div = L.DomUtil.create('div', 'map-legend');
    var heading = document.createElement('strong');
    heading.textContent = title;
    div.appendChild(heading);
    entries.forEach(function (entry) {
      div.appendChild(document.createElement('br'));
      var swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = entry.color;
      div.appendChild(swatch);
      div.appendChild(document.createTextNode(' ' + entry.label));
    });
    return div;
  }

  function escapeHtml(text) {
    var span = document.createElement('span');
    span.textContent = text;
    return span.innerHTML;
  }

  var studyMode = settings.mode === 'hvm' || settings.mode === 'crowd';
  if (settings.mode === 'view' || studyMode) {
    fetch(settings.sitesUrl, { credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var focus = null;
        var sites = L.geoJSON(collection, {
          style: function (feature) {
            var focused = feature.properties.id === settings.focusSite;
            return {
              className: 'agora-site',
              color: focused ? '#7d1d12' : '#c0392b',
              weight: focused ? 3 : 2,
              fillColor: '#e74c3c',
              fillOpacity: focused ? 0.35 : 0.2
            };
          },
          onEachFeature: function (feature, layer) {
            var properties = feature.properties;
            if (properties.id === settings.focusSite) { focus = layer; }
            layer.bindTooltip(escapeHtml(properties.name), { sticky: true });
            layer.bindPopup('<strong>' + escapeHtml(properties.name) + '</strong><br><a href="/sites/' +
              encodeURIComponent(properties.id) + '">' + escapeHtml(settings.labelOpen) + '</a>');
          }
        }).addTo(map);
        element.dataset.sitesLoaded = String(collection.features.length);
        if (focus) {
          if (studyMode) { focus.setStyle({ fillOpacity: 0.08 }); focus.bringToBack(); }
          map.fitBounds(focus.getBounds(), { padding: [40, 40] });
        } else if (collection.features.length > 0) {
          map.fitBounds(sites.getBounds(), { padding: [20, 20] });
        }
      });
  }

  if (settings.mode === 'edit' && map.pm) {
    var input = document.getElementById(settings.polygonInput);
    var outline = null;
    var writeOutline = function () {
      if (outline) { input.value = JSON.stringify(outline.toGeoJSON().geometry); }
    };
    var adopt = function (layer) {
      if (outline && outline !== layer) { map.removeLayer(outline); }
      outline = layer;
      outline.setStyle({ className: 'agora-site', color: '#c0392b', fillOpacity: 0.25 });
      outline.on('pm:edit pm:update pm:dragend', writeOutline);
      writeOutline();
    };
    var readOutline = function () {
      var geometry;
      try { geometry = JSON.parse(input.value); } catch (error) { return; }
      var layer = L.geoJSON(geometry).getLayers()[0];
      if (!layer) { return; }
      if (outline) { map.removeLayer(outline); }
      outline = layer.addTo(map);
      outline.setStyle({ className: 'agora-site', color: '#c0392b', fillOpacity: 0.25 });
      outline.on('pm:edit pm:update pm:dragend', writeOutline);
      map.fitBounds(outline.getBounds(), { padding: [40, 40] });
    };
    map.pm.addControls({
      position: 'topleft', drawMarker: false, drawCircleMarker: false, drawPolyline: false,
      drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false,
      drawRectangle: true, drawPolygon: true, editMode: true, dragMode: true, removalMode: true
    });
    map.on('pm:create', function (event) { adopt(event.layer); });
    map.on('pm:remove', function (event) {
      if (event.layer === outline) { outline = null; input.value = ''; }
    });
    input.addEventListener('change', readOutline);
    if (input.value.trim()) { readOutline(); }
  }

  // --- Vehicle-approach studies: approach paths coloured by speed, entry points, and the user's
  // temporary barriers and openings. --------------------------------------------------------------
  // Colours change at the nominal impact-test speeds (16, 32, 48, 64, 80 km/h).
  var speedBands = [
    { below: 16, color: '#2e7d32' }, { below: 32, color: '#9ccc65' }, { below: 48, color: '#fdd835' },
    { below: 64, color: '#fb8c00' }, { below: 80, color: '#e53935' }, { below: Infinity, color: '#6a1b9a' }
  ];
  function speedColor(speed) {
    for (var i = 0; i < speedBands.length; i++) { if (speed < speedBands[i].below) { return speedBands[i].color; } }
    return speedBands[speedBands.length - 1].color;
  }

  if (settings.mode === 'hvm' && settings.studyUrl) {
    var approaches = L.layerGroup().addTo(map);
    var entryLayer = L.layerGroup().addTo(map);
    var entryMarkers = {};
    var study = null;

    var legend = L.control({ position: 'bottomright' });
    legend.onAdd = function () {
      var lower = 0;
      return swatchLegend(settings.labelSpeed, speedBands.map(function (band) {
        var label = band.below === Infinity ? '≥ ' + lower : lower + '–' + band.below;
        lower = band.below;
        return { color: band.color, label: label };
      }));
    };
    legend.addTo(map);

    var chooser = L.control({ position: 'topright' });
    var select = null;
    chooser.onAdd = function () {
      var div = L.DomUtil.create('div', 'map-legend');
      div.innerHTML = '<label>' + escapeHtml(settings.labelShow) + ' <select id="hvm-vehicle"></select></label>';
      L.DomEvent.disableClickPropagation(div);
      select = div.querySelector('select');
      select.addEventListener('change', function () { drawApproaches(select.value); });
      return div;
    };
    chooser.addTo(map);

    function drawApproaches(vehicle) {
      approaches.clearLayers();
      var drawn = 0;
      study.features.forEach(function (feature) {
        var p = feature.properties;
        if (p.feature !== 'approach' || p.vehicle !== vehicle) { return; }
        var coordinates = feature.geometry.coordinates;
        for (var i = 1; i < coordinates.length; i++) {
          L.polyline([[coordinates[i - 1][1], coordinates[i - 1][0]], [coordinates[i][1], coordinates[i][0]]], {
            color: speedColor(p.speeds_kmh[i]), weight: 5, opacity: 0.9, className: 'agora-approach'
          }).bindTooltip(escapeHtml(p.entry + ' · ' + p.vehicle + ' · ' + p.speeds_kmh[i] + ' km/h')).addTo(approaches);
        }
        drawn++;
      });
      element.dataset.approachesDrawn = String(drawn);
    }

    function entryPopup(p) {
      var rows = p.vehicles.map(function (v) {
        return '<tr><td>' + escapeHtml(v.vehicle) + '</td><td>' + escapeHtml(v.status) + '</td><td>' +
          (v.speed_kmh !== undefined ? escapeHtml(String(v.speed_kmh)) : '—') + '</td><td>' +
          (v.energy_kj !== undefined ? escapeHtml(String(v.energy_kj)) : '—') + '</td><td>' +
          escapeHtml(v.required_rating || v.unprotected_required_rating || '') + '</td></tr>';
      }).join('');
      return '<strong>' + escapeHtml(p.entry) + '</strong> ' + escapeHtml(p.way_name || p.way) +
        '<table class="popup"><tr><th></th><th></th><th>km/h</th><th>kJ</th><th></th></tr>' + rows + '</table>';
    }

    fetch(settings.studyUrl, { credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        study = collection;
        var vehicles = [];
        var bestVehicle = null, bestEnergy = -1, entries = 0;
        collection.features.forEach(function (feature) {
          var p = feature.properties;
          if (p.feature === 'approach') {
            if (vehicles.indexOf(p.vehicle) < 0) { vehicles.push(p.vehicle); }
            if (p.energy_kj > bestEnergy) { bestEnergy = p.energy_kj; bestVehicle = p.vehicle; }
          } else if (p.feature === 'entry') {
            entries++;
            var c = feature.geometry.coordinates;
            var marker = L.circleMarker([c[1], c[0]], {
              radius: 7, weight: 2, color: '#111', fillOpacity: 1,
              fillColor: p.open ? speedColor(p.max_speed_kmh) : '#9e9e9e', className: 'agora-entry'
            }).bindTooltip(escapeHtml(p.entry + (p.open ? ' · ' + p.max_speed_kmh + ' km/h · ' + p.required_rating : '')),
              { permanent: false }).bindPopup(entryPopup(p), { maxWidth: 420 }).addTo(entryLayer);
            entryMarkers[p.entry] = marker;
          }
        });
        vehicles.forEach(function (vehicle) {
          var option = document.createElement('option');
          option.value = vehicle; option.textContent = vehicle;
          select.appendChild(option);
        });
        if (bestVehicle) { select.value = bestVehicle; drawApproaches(bestVehicle); }
        element.dataset.entriesLoaded = String(entries);
      });

    Array.prototype.forEach.call(document.querySelectorAll('.entry-link'), function (link) {
      link.addEventListener('click', function (event) {
        event.preventDefault();
        var marker = entryMarkers[link.dataset.entry];
        if (marker) { map.setView(marker.getLatLng(), Math.max(map.getZoom(), 18)); marker.openPopup(); }
      });
    });
  }

  if (settings.mode === 'hvm' && settings.canEdit === 'true' && map.pm) {
    var changesInput = document.getElementById(settings.changesInput);
    var list = document.getElementById('changes-list');
    var changes = { added_barriers: [], openings: [] };
    try { changes = JSON.parse(changesInput.value) || changes; } catch (error) { /* keep empty */ }
    changes.added_barriers = changes.added_barriers || [];
    changes.openings = changes.openings || [];
    var changeLayers = L.layerGroup().addTo(map);

    function writeChanges() {
      changesInput.value = JSON.stringify(changes);
      changeLayers.clearLayers();
      list.innerHTML = '';
      changes.added_barriers.forEach(function (barrier, index) {
        var latlngs = barrier.line.map(function (p) { return [p[1], p[0]]; });
        var label = settings.labelBarrier + ' ' + (index + 1) + ': ' + barrier.kind + (barrier.rating ? ' ' + barrier.rating : '');
        (latlngs.length === 1 ? L.circleMarker(latlngs[0], { radius: 5, color: '#000', fillColor: '#000', fillOpacity: 1 })
          : L.polyline(latlngs, { color: '#000', weight: 6, dashArray: '2 6', className: 'agora-added-barrier' }))
          .bindTooltip(escapeHtml(label)).addTo(changeLayers);
        addListItem(label, function () { changes.added_barriers.splice(index, 1); writeChanges(); });
      });
      changes.openings.forEach(function (opening, index) {
        var label = settings.labelOpening + ' ' + (index + 1) + ': ' + opening.width_m + ' m';
        L.circle([opening.at[1], opening.at[0]], { radius: opening.width_m / 2, color: '#00897b', weight: 3, className: 'agora-opening' })
          .bindTooltip(escapeHtml(label)).addTo(changeLayers);
        addListItem(label, function () { changes.openings.splice(index, 1); writeChanges(); });
      });
    }
    function addListItem(label, remove) { addRemovableItem(list, label, remove); }

    map.pm.addControls({
      position: 'topleft', drawMarker: true, drawCircleMarker: false, drawPolyline: true, drawPolygon: false,
      drawRectangle: false, drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false,
      editMode: false, dragMode: false, removalMode: false
    });
    map.on('pm:create', function (event) {
      var geometry = event.layer.toGeoJSON().geometry;
      map.removeLayer(event.layer);
      if (event.shape === 'Line') {
        var rating = document.getElementById('barrier-rating').value.trim();
        var barrier = { kind: document.getElementById('barrier-kind').value, line: geometry.coordinates };
        if (rating) { barrier.rating = rating; }
        changes.added_barriers.push(barrier);
      } else if (event.shape === 'Marker') {
        changes.openings.push({ at: geometry.coordinates, width_m: Number(document.getElementById('opening-width').value) || 4 });
      }
      writeChanges();
    });
    writeChanges();
  }

  // --- Crowd studies: the density grid animated over time, the level-of-service map at the
  // peak, the exits with their counts, and the user's stalls, barriers and added exits. -----------
  // Density bands, persons/m²: Fruin's walkway levels A-C (< 0.72), D (< 1.08), E (< 2.17), F
  // beyond, with F split at 4, where moving crowds become dangerous (crowd.md §4.2).
  var densityBands = [
    { below: 0.31, color: '#e8f5e9', label: '< 0.31' }, { below: 0.72, color: '#a5d6a7', label: '0.31–0.72' },
    { below: 1.08, color: '#fff176', label: '0.72–1.08' }, { below: 2.17, color: '#ffb74d', label: '1.08–2.17' },
    { below: 4, color: '#e53935', label: '2.17–4' }, { below: Infinity, color: '#6a1b9a', label: '≥ 4' }
  ];
  var losColors = { A: '#1b5e20', B: '#66bb6a', C: '#d4e157', D: '#ffca28', E: '#fb8c00', F: '#c62828' };
  function hexToRgb(hex) {
    return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
  }

  if (settings.mode === 'crowd' && settings.crowdUrl) {
    var crowdLayers = L.layerGroup().addTo(map);
    var overlay = null;
    var crowd = null;
    var slider = document.getElementById('crowd-time');
    var timeLabel = document.getElementById('crowd-time-label');
    var playButton = document.getElementById('crowd-play');
    var playing = null;
    var layerChoice = 'density';

    var densityLegend = L.control({ position: 'bottomright' });
    densityLegend.onAdd = function () {
      return swatchLegend(settings.labelDensity, densityBands.map(function (band) { return { color: band.color, label: band.label }; }));
    };
    var losLegend = L.control({ position: 'bottomright' });
    losLegend.onAdd = function () {
      return swatchLegend(settings.labelLos, ['A', 'B', 'C', 'D', 'E', 'F'].map(function (level) { return { color: losColors[level], label: level }; }));
    };
    densityLegend.addTo(map);

    // Paints one value per cell on a canvas (row 0 of the grid is the southern one) and returns
    // it as an image for the georeferenced overlay.
    function gridImage(colorOf) {
      var grid = crowd.density;
      var canvas = document.createElement('canvas');
      canvas.width = grid.nx; canvas.height = grid.ny;
      var context = canvas.getContext('2d');
      var image = context.createImageData(grid.nx, grid.ny);
      for (var cell = 0; cell < grid.nx * grid.ny; cell++) {
        var color = colorOf(cell);
        if (!color) { continue; }
        var column = cell % grid.nx, row = Math.floor(cell / grid.nx);
        var offset = ((grid.ny - 1 - row) * grid.nx + column) * 4;
        image.data[offset] = color[0]; image.data[offset + 1] = color[1]; image.data[offset + 2] = color[2];
        image.data[offset + 3] = 200;
      }
      context.putImageData(image, 0, 0);
      return canvas.toDataURL('image/png');
    }

    function densityColor(frame, cell) {
      var grid = crowd.density;
      var area = grid.walkable_area_m2[cell];
      if (area < 0.5 * grid.cell_m * grid.cell_m || frame.counts[cell] === 0) { return null; }
      var density = frame.counts[cell] / area;
      for (var i = 0; i < densityBands.length; i++) {
        if (density < densityBands[i].below) { return hexToRgb(densityBands[i].color); }
      }
      return null;
    }

    function showImage(url) {
      var bounds = crowd.density.bounds;
      var latLngBounds = [[bounds[0][1], bounds[0][0]], [bounds[1][1], bounds[1][0]]];
      if (overlay) { overlay.setUrl(url); } else {
        overlay = L.imageOverlay(url, latLngBounds, { className: 'crowd-grid', opacity: 0.85 }).addTo(map);
      }
    }

    function showFrame(index) {
      var frame = crowd.density.frames[index];
      if (!frame) { return; }
      showImage(gridImage(function (cell) { return densityColor(frame, cell); }));
      timeLabel.textContent = 't = ' + Math.round(frame.time_s) + ' s';
      element.dataset.densityShown = String(index);
    }

    function showLevelOfService() {
      var levels = crowd.density.level_of_service_at_peak;
      showImage(gridImage(function (cell) {
        var level = levels.charAt(cell);
        return losColors[level] ? hexToRgb(losColors[level]) : null;
      }));
      if (crowd.peak) { timeLabel.textContent = 't = ' + Math.round(crowd.peak.time_s) + ' s'; }
      element.dataset.losShown = 'true';
    }

    function stop() {
      if (playing) { clearInterval(playing); playing = null; playButton.textContent = settings.labelPlay; }
    }

    function chooseLayer(choice) {
      layerChoice = choice;
      stop();
      if (choice === 'los') {
        map.removeControl(densityLegend); losLegend.addTo(map); showLevelOfService();
      } else {
        map.removeControl(losLegend); densityLegend.addTo(map); showFrame(Number(slider.value));
      }
    }

    fetch(settings.crowdUrl, { credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        crowd = result;
        L.polygon(result.walkable.map(function (ring) {
          return ring.map(function (p) { return [p[1], p[0]]; });
        }), { color: '#1f3a93', weight: 1, fill: false, dashArray: '4 4', interactive: false }).addTo(crowdLayers);
        result.exits.forEach(function (exit) {
          L.polygon(exit.polygon.map(function (p) { return [p[1], p[0]]; }),
            { color: '#00897b', weight: 2, fillColor: '#26a69a', fillOpacity: 0.7, className: 'agora-exit' })
            .bindTooltip(escapeHtml(exit.name + ' · ' + exit.count + ' ' + settings.labelPeople))
            .addTo(crowdLayers);
        });
        slider.max = String(Math.max(0, result.density.frames.length - 1));
        slider.value = '0';
        element.dataset.densityFrames = String(result.density.frames.length);
        element.dataset.exitsDrawn = String(result.exits.length);
        showFrame(0);
      });

    slider.addEventListener('input', function () {
      if (layerChoice !== 'density') {
        document.querySelector('input[name=crowd-layer][value=density]').checked = true;
        chooseLayer('density');
      }
      showFrame(Number(slider.value));
    });
    playButton.addEventListener('click', function () {
      if (!crowd) { return; }
      if (playing) { stop(); return; }
      if (layerChoice !== 'density') {
        document.querySelector('input[name=crowd-layer][value=density]').checked = true;
        chooseLayer('density');
      }
      if (Number(slider.value) >= Number(slider.max)) { slider.value = '0'; }
      playButton.textContent = settings.labelPause;
      playing = setInterval(function () {
        var next = Number(slider.value) + 1;
        if (next > Number(slider.max)) { stop(); return; }
        slider.value = String(next);
        showFrame(next);
      }, 250);
    });
    Array.prototype.forEach.call(document.querySelectorAll('input[name=crowd-layer]'), function (radio) {
      radio.addEventListener('change', function () { if (radio.checked) { chooseLayer(radio.value); } });
    });
  }

  if (settings.mode === 'crowd' && settings.canEdit === 'true' && map.pm) {
    var crowdInput = document.getElementById(settings.changesInput);
    var crowdList = document.getElementById('changes-list');
    var crowdChanges = { obstacles: [], barriers: [], added_exits: [] };
    try { crowdChanges = JSON.parse(crowdInput.value) || crowdChanges; } catch (error) { /* keep empty */ }
    ['obstacles', 'barriers', 'added_exits'].forEach(function (key) { crowdChanges[key] = crowdChanges[key] || []; });
    var drawnLayers = L.layerGroup().addTo(map);
    var toLatLng = function (p) { return [p[1], p[0]]; };

    function writeCrowdChanges() {
      crowdInput.value = JSON.stringify(crowdChanges);
      drawnLayers.clearLayers();
      crowdList.innerHTML = '';
      crowdChanges.obstacles.forEach(function (ring, index) {
        var label = settings.labelObstacle + ' ' + (index + 1);
        L.polygon(ring.map(toLatLng), { color: '#5d4037', weight: 2, fillColor: '#8d6e63', fillOpacity: 0.6, className: 'agora-obstacle' })
          .bindTooltip(escapeHtml(label)).addTo(drawnLayers);
        addRemovableItem(crowdList, label, function () { crowdChanges.obstacles.splice(index, 1); writeCrowdChanges(); });
      });
      crowdChanges.barriers.forEach(function (line, index) {
        var label = settings.labelBarrier + ' ' + (index + 1);
        L.polyline(line.map(toLatLng), { color: '#000', weight: 5, className: 'agora-added-barrier' })
          .bindTooltip(escapeHtml(label)).addTo(drawnLayers);
        addRemovableItem(crowdList, label, function () { crowdChanges.barriers.splice(index, 1); writeCrowdChanges(); });
      });
      crowdChanges.added_exits.forEach(function (exit, index) {
        var label = settings.labelExit + ' ' + (index + 1) + ': ' + exit.width_m + ' m';
        L.circle(toLatLng(exit.at), { radius: exit.width_m / 2, color: '#00897b', weight: 3, className: 'agora-added-exit' })
          .bindTooltip(escapeHtml(label)).addTo(drawnLayers);
        addRemovableItem(crowdList, label, function () { crowdChanges.added_exits.splice(index, 1); writeCrowdChanges(); });
      });
    }

    map.pm.addControls({
      position: 'topleft', drawMarker: true, drawCircleMarker: false, drawPolyline: true, drawPolygon: true,
      drawRectangle: true, drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false,
      editMode: false, dragMode: false, removalMode: false
    });
    map.on('pm:create', function (event) {
      var geometry = event.layer.toGeoJSON().geometry;
      map.removeLayer(event.layer);
      if (event.shape === 'Polygon' || event.shape === 'Rectangle') {
        crowdChanges.obstacles.push(geometry.coordinates[0]);
      } else if (event.shape === 'Line') {
        crowdChanges.barriers.push(geometry.coordinates);
      } else if (event.shape === 'Marker') {
        crowdChanges.added_exits.push({ at: geometry.coordinates, width_m: Number(document.getElementById('exit-width').value) || 4 });
      }
      writeCrowdChanges();
    });
    writeCrowdChanges();
  }
})();
