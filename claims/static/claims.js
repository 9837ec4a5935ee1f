// The claim form and the reply form, improved where JavaScript runs: photo previews, size
// checks before sending, an upload progress bar, and one submission per click; and on every
// page that loads it, the focus on the error summary. Without it, all work as plain HTML.
(function () {
  "use strict";

  // Any page's error summary takes the focus, so its problems are read out first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  var form = document.querySelector(".claim-form");
  if (!form) return;

  var input = form.querySelector('input[type="file"]');
  var previews = form.querySelector("[data-previews]");
  var problem = form.querySelector("[data-photo-problem]");
  var submit = form.querySelector("[data-submit]");
  var progress = form.querySelector("[data-progress]");
  var progressText = form.querySelector("[data-progress-text]");
  var maxPhotos = Number(form.dataset.maxPhotos);
  var maxPhotoBytes = Number(form.dataset.maxPhotoBytes);
  var maxRequestBytes = Number(form.dataset.maxRequestBytes);
  var previewUrls = [];

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  // What is wrong with the chosen photos, or "" when they can be sent.
  function photoProblem(files) {
    var total = 0;
    if (files.length > maxPhotos) {
      return "You chose " + files.length + " photos; you can send up to " + maxPhotos + ".";
    }
    for (var i = 0; i < files.length; i++) {
      total += files[i].size;
      if (files[i].size === 0) return files[i].name + " is empty. Choose another photo.";
      if (files[i].size > maxPhotoBytes) {
        return files[i].name + " is " + megabytes(files[i].size) + "; each photo can be up to " +
          megabytes(maxPhotoBytes) + ".";
      }
    }
    if (total > maxRequestBytes) {
      return "Together your photos are " + megabytes(total) + "; send fewer or smaller photos.";
    }
    return "";
  }

  function showPreviews() {
    previewUrls.forEach(URL.revokeObjectURL);
    previewUrls = [];
    previews.textContent = "";
    var files = Array.prototype.slice.call(input.files);
    files.forEach(function (file) {
      var item = document.createElement("li");
      // Browsers that cannot draw HEIC show the file name alone.
      if (/^image\/(jpeg|png|webp)$/.test(file.type)) {
        var url = URL.createObjectURL(file);
        previewUrls.push(url);
        var image = document.createElement("img");
        image.src = url;
        image.alt = "";
        item.appendChild(image);
      }
      item.appendChild(document.createTextNode(file.name + " (" + megabytes(file.size) + ")"));
      previews.appendChild(item);
    });
    previews.hidden = files.length === 0;
    var message = photoProblem(files);
    problem.textContent = message;
    problem.hidden = !message;
  }

  if (input) input.addEventListener("change", showPreviews);

  function showProgress(event) {
    if (!event.lengthComputable) return;
    var percent = Math.round((event.loaded / event.total) * 100);
    progress.value = percent;
    progress.textContent = percent + "%";
    progressText.textContent = percent < 100 ? "Sending… " + percent + "%" : "Saving your claim…";
  }

  form.addEventListener("submit", function (event) {
    if (input && photoProblem(input.files)) {
      event.preventDefault();
      showPreviews();
      input.focus();
      return;
    }
    if (submit.disabled) {
      event.preventDefault();
      return;
    }
    if (!window.FormData || !window.XMLHttpRequest) return;  // plain HTML submission
    event.preventDefault();
    submit.disabled = true;
    progress.hidden = false;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", showProgress);
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);  // the confirmation page
      } else {
        document.open();  // the form again, with the server's messages
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () {
      submit.disabled = false;
      progress.hidden = true;
      progressText.textContent = "The connection was lost. Check it, then send the claim again.";
    });
    request.send(new FormData(form));
  });
})();
