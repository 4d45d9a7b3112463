// "Attach my position": fills the hidden latitude/longitude inputs of the concern form.
(function () {
  var script = document.currentScript;
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = script.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
        document.getElementById("id_datum").value = "wgs84";  // GPS; the map pin may differ
        document.getElementById("id_latitude").dispatchEvent(new Event("change"));
        status.textContent = script.dataset.done;
      },
      function () { status.textContent = script.dataset.failed; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
})();
