// The claim form, improved where JavaScript runs; without it, it works as plain HTML. Each
// photo is sent as it is chosen (data-stage), with its own progress bar, so that picking again
// adds photos, each can be removed, a file that is not a photo is named at once, and "Send
// claim" sends only text, once per click. A type that files no case is answered as soon as it
// is chosen.
(function () {
  "use strict";

  var form = document.querySelector(".claim-form");
  if (!form) return;

  var input = form.querySelector('input[type="file"]');
  var problem = form.querySelector("[data-photo-problem]");
  var submit = form.querySelector("[data-submit]");
  var progressText = form.querySelector("[data-progress-text]");
  var maxPhotos = Number(form.dataset.maxPhotos);
  var maxPhotoBytes = Number(form.dataset.maxPhotoBytes);

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  // What is wrong with one file's size, or "".
  function sizeProblem(file) {
    if (file.size === 0) return file.name + " is empty. Choose another photo.";
    if (file.size > maxPhotoBytes) {
      return file.name + " is " + megabytes(file.size) + "; each photo can be up to " +
        megabytes(maxPhotoBytes) + ".";
    }
    return "";
  }

  function showProblems(messages) {
    problem.textContent = messages.join(" ");
    problem.hidden = messages.length === 0;
  }

  // Browsers that cannot draw HEIC show the file name alone.
  function previewable(file) {
    return /^image\/(jpeg|png|webp)$/.test(file.type);
  }

  if (form.dataset.stage) sendPhotosAsChosen();
  answerTypesThatFileNoCase();

  // The claim form: each photo goes to the staging endpoint as soon as it is chosen.
  function sendPhotosAsChosen() {
    var list = form.querySelector("[data-kept]");
    var status = form.querySelector("[data-photo-status]");
    var token = form.querySelector('[name="csrf_token"]');
    var submissionId = form.querySelector('[name="submission_id"]').value;
    var HEIF_BRANDS = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"];
    var sending = 0;
    var sendClaimWhenDone = false;

    function formData() {
      var data = new FormData();
      if (token) data.append("csrf_token", token.value);
      data.append("submission_id", submissionId);
      return data;
    }

    // Said once a photo is in or out, never on every step of its progress.
    function announce(text) {
      status.textContent = text;
    }

    function photoCount() {
      return list.children.length;
    }

    // A JPEG, PNG, WebP or HEIC file by its first bytes, as the service checks it.
    function looksLikePhoto(file) {
      return file.slice(0, 16).arrayBuffer().then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        var text = function (start, end) {
          return String.fromCharCode.apply(null, bytes.subarray(start, end));
        };
        if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return true;
        if (text(0, 8) === "\x89PNG\r\n\x1a\n") return true;
        if (text(0, 4) === "RIFF" && text(8, 12) === "WEBP") return true;
        return text(4, 8) === "ftyp" && HEIF_BRANDS.indexOf(text(8, 12)) !== -1;
      });
    }

    function photoItem(name) {
      var item = document.createElement("li");
      var image = document.createElement("img");
      image.alt = "";
      var label = document.createElement("span");
      label.className = "previews__name";
      label.textContent = name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button--small";
      remove.textContent = "Remove";
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + name;
      remove.appendChild(hidden);
      item.append(image, label, remove);
      return item;
    }

    function failure(name, status) {
      var why = {
        413: "it is too large to send",
        429: "too many photos were sent in a short while; wait a minute",
        503: "we cannot take photos right now; try again in a few minutes"
      }[status] || "the page has expired; reload it";
      return name + " could not be sent: " + why + ", then choose it again.";
    }

    function upload(file) {
      var item = photoItem(file.name);
      var image = item.querySelector("img");
      if (previewable(file)) image.src = URL.createObjectURL(file);
      else image.hidden = true;
      var bar = document.createElement("progress");
      bar.className = "progress";
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Sending " + file.name);
      item.insertBefore(bar, item.lastChild);
      list.appendChild(item);
      list.hidden = false;

      var request = new XMLHttpRequest();
      item.request = request;
      sending += 1;
      request.open("POST", form.dataset.stage);
      request.responseType = "json";
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
      });
      request.addEventListener("loadend", function () {
        var answer = request.response || {};
        var sent = request.status === 201 && answer.photos && answer.photos[0];
        item.request = null;
        if (image.src) URL.revokeObjectURL(image.src);
        if (sent) {
          bar.remove();
          image.src = sent.thumbnail;  // as stored: HEIC shows too, as JPEG
          image.hidden = false;
          item.querySelector("button").dataset.remove = sent.remove;
          announce(file.name + " added. " + photoCount() + " of " + maxPhotos + " photos.");
        } else if (request.status !== 0) {  // 0: the customer removed it while it was sending
          item.remove();
          list.hidden = photoCount() === 0;
          var problems = answer.problems || [failure(file.name, request.status)];
          showProblems(problems);
          sendClaimWhenDone = false;
        } else if (!item.dataset.cancelled) {
          item.remove();
          showProblems([file.name + " could not be sent: the connection was lost. Check it, " +
            "then choose the photo again."]);
          sendClaimWhenDone = false;
        }
        sending -= 1;
        if (sending === 0) finishWaiting();
      });
      var data = formData();
      data.append("photos", file);
      request.send(data);
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      input.value = "";  // sent one by one; the form itself sends text only
      Promise.all(files.map(looksLikePhoto)).then(function (photos) {
        var problems = [];
        files.forEach(function (file, index) {
          var tooLarge = sizeProblem(file);
          if (tooLarge) {
            problems.push(tooLarge);
          } else if (!photos[index]) {
            problems.push(file.name + " is not a photo. Choose a JPEG, PNG, WebP or HEIC image.");
          } else if (photoCount() >= maxPhotos) {
            problems.push(file.name + " was not added: you can send up to " + maxPhotos +
              " photos. Remove one to add another.");
          } else {
            upload(file);
          }
        });
        showProblems(problems);
      });
    });

    // Focus goes where the removed photo was: the next photo's button, or the picker.
    function removed(item) {
      var next = item.nextElementSibling || item.previousElementSibling;
      var name = item.querySelector(".previews__name").textContent;
      item.remove();
      list.hidden = photoCount() === 0;
      (next ? next.querySelector("button") : input).focus();
      announce(name + " removed.");
    }

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      event.preventDefault();  // without us, the button sends the form to remove the photo
      var item = button.closest("li");
      if (item.request) {
        item.dataset.cancelled = "true";
        item.request.abort();
        removed(item);
        return;
      }
      button.disabled = true;
      fetch(button.dataset.remove, { method: "POST", body: formData(), credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok && response.status !== 404) throw new Error(response.status);
          removed(item);  // 404: it was removed already
        })
        .catch(function () {
          button.disabled = false;
          showProblems(["The photo could not be removed. Check your connection and try again."]);
        });
    });

    // Busy, not disabled: a disabled button would drop the keyboard focus to the page.
    function setBusy(on, text) {
      if (on) submit.setAttribute("aria-disabled", "true");
      else submit.removeAttribute("aria-disabled");
      progressText.textContent = text;
    }

    function busy() {
      return submit.getAttribute("aria-disabled") === "true";
    }

    function finishWaiting() {
      if (!sendClaimWhenDone) {
        if (busy() && progressText.textContent) setBusy(false, "");
        return;
      }
      sendClaimWhenDone = false;
      setBusy(false, progressText.textContent);
      form.requestSubmit(submit);
    }

    form.addEventListener("submit", function (event) {
      if (busy()) {
        event.preventDefault();
        return;
      }
      if (sending > 0) {  // send the claim once its photos are in
        event.preventDefault();
        sendClaimWhenDone = true;
        setBusy(true, "Sending your photos first…");
      } else {
        setBusy(true, "Sending your claim…");
      }
    });

    // Back from the confirmation page, the form works again.
    window.addEventListener("pageshow", function () {
      setBusy(false, "");
    });
  }

  // "Change a confirmed order" is answered next to the choices as soon as it is chosen.
  function answerTypesThatFileNoCase() {
    var region = form.querySelector("[data-policy-answer]");
    if (!region) return;
    var radios = form.querySelectorAll('input[name="claim_type"]');
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", function () {
        var earlier = document.querySelector("main > [data-policy-answer]");
        if (earlier) earlier.remove();  // the server's answer to a type chosen before
        var template = form.querySelector('template[data-policy-for="' + radio.value + '"]');
        region.textContent = "";
        if (template) region.appendChild(template.content.cloneNode(true));
      });
    });
    // Choosing the type offered instead keeps what the customer has typed.
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-choose]");
      if (!link) return;
      var choice = form.querySelector('input[name="claim_type"][value="' + link.dataset.choose + '"]');
      if (!choice) return;
      event.preventDefault();
      choice.checked = true;
      choice.dispatchEvent(new Event("change"));
      choice.focus();
    });
  }
})();
