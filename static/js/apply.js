// Effect page: choose the photo by dropping it on the form, pasting it (Ctrl+V / Cmd+V) or picking
// a file, with a preview of the chosen photo. The plain file input stays in the form and keeps
// working without this file; everything here only fills that input.
(function () {
  "use strict";

  var ACCEPTED = ["image/jpeg", "image/png", "image/webp"];

  function init() {
    var zone = document.querySelector("[data-dropzone]");
    var input = document.getElementById("id_image");
    if (!zone || !input || typeof DataTransfer === "undefined") return;
    var url = document.getElementById("id_image_url");
    var hint = zone.querySelector("[data-dropzone-hint]");
    var error = zone.querySelector("[data-dropzone-error]");
    var chosen = zone.querySelector("[data-chosen-photo]");
    var preview = zone.querySelector("[data-chosen-preview]");
    var nameEl = zone.querySelector("[data-chosen-name]");
    var status = zone.querySelector("[data-chosen-status]");
    var clear = zone.querySelector("[data-chosen-clear]");
    var maxBytes = parseInt(zone.getAttribute("data-max-bytes"), 10) || 0;
    var objectUrl = null;

    zone.classList.add("is-enhanced");
    if (hint) hint.hidden = false;

    function sizeText(bytes) {
      return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
    }

    function showError(text) {
      error.textContent = text;
      error.hidden = !text;
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }

    function showChosen() {
      if (objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
      var file = input.files && input.files[0];
      if (!file) {
        chosen.hidden = true;
        preview.removeAttribute("src");
        status.textContent = "";
        return;
      }
      objectUrl = URL.createObjectURL(file);
      preview.src = objectUrl;
      nameEl.textContent = (file.name || "Pasted photo") + " · " + sizeText(file.size);
      chosen.hidden = false;
      status.textContent = "Photo chosen: " + (file.name || "pasted photo") + ".";
      if (url) url.value = "";
    }

    // Put a dropped or pasted file into the form's own file input (so the form posts it as usual).
    function take(file) {
      if (ACCEPTED.indexOf(file.type) === -1) {
        showError("That file is not a JPEG, PNG or WEBP photo.");
        return;
      }
      if (maxBytes && file.size > maxBytes) {
        showError("That photo is " + sizeText(file.size) + "; the limit is " + sizeText(maxBytes) + ".");
        return;
      }
      var transfer = new DataTransfer();
      var name = file.name && file.name !== "image.png" ? file.name : "pasted-photo." + file.type.split("/")[1];
      transfer.items.add(new File([file], name, { type: file.type }));
      input.files = transfer.files;
      showError("");
      showChosen();
    }

    function firstImage(items) {
      for (var i = 0; i < items.length; i++) {
        var item = items[i];
        var file = item.getAsFile ? (item.kind === "file" ? item.getAsFile() : null) : item;
        if (file && file.type.indexOf("image/") === 0) return file;
      }
      return null;
    }

    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (file && maxBytes && file.size > maxBytes) {
        input.value = "";
        showError("That photo is " + sizeText(file.size) + "; the limit is " + sizeText(maxBytes) + ".");
      } else {
        showError("");
      }
      showChosen();
    });

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      var file = firstImage(files);
      if (file) take(file); else showError("That file is not a JPEG, PNG or WEBP photo.");
    });

    // Pasting anywhere on the page, except into the URL field (a pasted link belongs there).
    document.addEventListener("paste", function (event) {
      if (event.target === url) return;
      var data = event.clipboardData;
      if (!data) return;
      var file = firstImage(data.items || []) || firstImage(data.files || []);
      if (!file) return;
      event.preventDefault();
      take(file);
    });

    if (url) {
      url.addEventListener("input", function () {
        if (url.value && input.files.length) { input.value = ""; showChosen(); }
      });
    }

    clear.addEventListener("click", function () {
      input.value = "";
      showError("");
      showChosen();
      status.textContent = "Photo removed.";
      input.focus();
    });

    showChosen(); // a file the browser kept after going back
  }

  document.addEventListener("DOMContentLoaded", init);
})();
