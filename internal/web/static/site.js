// fellesrom: progressive enhancement of the finder. The page works without
// this file; it only adds a button that fills in latitude and longitude from
// the browser's location, rounded to about a kilometre. Nothing is sent
// anywhere until the person submits the form.
(function () {
	'use strict';
	var box = document.querySelector('[data-geo]');
	var lat = document.getElementById('f-lat');
	var lon = document.getElementById('f-lon');
	if (!box || !lat || !lon || !('geolocation' in navigator)) {
		return;
	}
	var button = document.createElement('button');
	button.type = 'button';
	button.className = 'button secondary';
	button.textContent = box.getAttribute('data-geo');
	var lang = box.getAttribute('data-geo-lang');
	if (lang && lang !== document.documentElement.lang) {
		button.lang = lang;
	}
	var status = document.createElement('p');
	status.setAttribute('role', 'status');
	var round = function (x) { return (Math.round(x * 100) / 100).toString(); };
	button.addEventListener('click', function () {
		status.textContent = box.getAttribute('data-geo-busy');
		button.disabled = true;
		navigator.geolocation.getCurrentPosition(function (pos) {
			lat.value = round(pos.coords.latitude);
			lon.value = round(pos.coords.longitude);
			status.textContent = box.getAttribute('data-geo-done');
			button.disabled = false;
		}, function () {
			status.textContent = box.getAttribute('data-geo-error');
			button.disabled = false;
		}, { enableHighAccuracy: false, maximumAge: 600000, timeout: 15000 });
	});
	box.appendChild(button);
	box.appendChild(status);
}());
