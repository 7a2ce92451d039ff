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

  function escapeHtml(text) {
    var span = document.createElement('span');
    span.textContent = text;
    return span.innerHTML;
  }

  if (settings.mode === 'view') {
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
})();
