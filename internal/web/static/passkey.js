// fellesrom: passkeys (WebAuthn). The browser's WebAuthn API needs
// JavaScript; this file registers a passkey on /kontor/passkey and gives a
// passkey instead of the code on the sign-in's second step. Everything goes
// to the site's own JSON endpoints by POST; the TOTP code keeps working
// without this file.
(function () {
	'use strict';
	var b64uToBuf = function (s) {
		s = s.replace(/-/g, '+').replace(/_/g, '/');
		while (s.length % 4) {
			s += '=';
		}
		var bin = atob(s);
		var out = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) {
			out[i] = bin.charCodeAt(i);
		}
		return out.buffer;
	};
	var bufToB64u = function (buf) {
		var bytes = new Uint8Array(buf);
		var bin = '';
		for (var i = 0; i < bytes.length; i++) {
			bin += String.fromCharCode(bytes[i]);
		}
		return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
	};
	var post = function (url, body) {
		return fetch(url, {
			method: 'POST',
			credentials: 'same-origin',
			headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
			body: JSON.stringify(body || {})
		}).then(function (res) {
			return res.json().then(function (data) {
				if (!res.ok) {
					if (data && data.next) {
						window.location.assign(data.next);
					}
					var err = new Error((data && data.error) || 'error');
					err.server = true;
					throw err;
				}
				return data;
			});
		});
	};
	var descriptors = function (list) {
		return (list || []).map(function (c) {
			var d = {type: c.type, id: b64uToBuf(c.id)};
			if (c.transports) {
				d.transports = c.transports;
			}
			return d;
		});
	};
	var supported = window.PublicKeyCredential && navigator.credentials;
	var fail = function (box, status) {
		return function (err) {
			if (err && err.server) {
				status.textContent = err.message;
			} else if (err && (err.name === 'NotAllowedError' || err.name === 'AbortError')) {
				status.textContent = box.getAttribute('data-cancelled');
			} else {
				status.textContent = box.getAttribute('data-failed');
			}
			box.querySelectorAll('button').forEach(function (b) { b.disabled = false; });
		};
	};

	// Registration on /kontor/passkey.
	var reg = document.querySelector('[data-passkey-register]');
	if (reg) {
		var regStatus = reg.querySelector('[role=status]');
		reg.hidden = false;
		if (!supported) {
			regStatus.textContent = reg.getAttribute('data-unsupported');
			reg.querySelector('button').disabled = true;
		}
		reg.addEventListener('submit', function (ev) {
			ev.preventDefault();
			if (!supported) {
				return;
			}
			reg.querySelector('button').disabled = true;
			regStatus.textContent = reg.getAttribute('data-busy');
			post(reg.getAttribute('data-start')).then(function (opts) {
				var pk = opts.publicKey;
				pk.challenge = b64uToBuf(pk.challenge);
				pk.user.id = b64uToBuf(pk.user.id);
				pk.excludeCredentials = descriptors(pk.excludeCredentials);
				return navigator.credentials.create({publicKey: pk});
			}).then(function (cred) {
				var r = cred.response;
				return post(reg.getAttribute('data-finish'), {
					name: document.getElementById('passkey-name').value,
					credential: {
						id: cred.id,
						rawId: bufToB64u(cred.rawId),
						type: cred.type,
						response: {
							clientDataJSON: bufToB64u(r.clientDataJSON),
							attestationObject: bufToB64u(r.attestationObject),
							transports: r.getTransports ? r.getTransports() : []
						},
						clientExtensionResults: cred.getClientExtensionResults()
					}
				});
			}).then(function (data) {
				window.location.assign(data.next);
			}).catch(fail(reg, regStatus));
		});
	}

	// The second step of the sign-in.
	var box = document.querySelector('[data-passkey-signin]');
	if (box && supported) {
		var status = box.querySelector('[role=status]');
		var button = box.querySelector('button');
		box.hidden = false;
		button.addEventListener('click', function () {
			button.disabled = true;
			status.textContent = box.getAttribute('data-busy');
			post(box.getAttribute('data-start')).then(function (opts) {
				var pk = opts.publicKey;
				pk.challenge = b64uToBuf(pk.challenge);
				pk.allowCredentials = descriptors(pk.allowCredentials);
				return navigator.credentials.get({publicKey: pk});
			}).then(function (cred) {
				var r = cred.response;
				return post(box.getAttribute('data-finish'), {
					next: box.getAttribute('data-next') || '',
					credential: {
						id: cred.id,
						rawId: bufToB64u(cred.rawId),
						type: cred.type,
						response: {
							clientDataJSON: bufToB64u(r.clientDataJSON),
							authenticatorData: bufToB64u(r.authenticatorData),
							signature: bufToB64u(r.signature),
							userHandle: r.userHandle ? bufToB64u(r.userHandle) : ''
						},
						clientExtensionResults: cred.getClientExtensionResults()
					}
				});
			}).then(function (data) {
				window.location.assign(data.next);
			}).catch(fail(box, status));
		});
	}
})();
