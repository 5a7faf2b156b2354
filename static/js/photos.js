// Photos of the work on the log form. Each photo is made small on this phone (at most 1600 px
// on its longest side, about 300 KB as a JPEG) by drawing it on a canvas: what leaves the phone
// is only the picture, without the camera's metadata (where it was taken, which phone). The
// photos wait in the outbox with their log and are sent with it (outbox.js).
"use strict";
(function (scope) {
  const SIDE = 1600;
  const TARGET = 300 * 1024;
  const QUALITIES = [0.92, 0.88, 0.84, 0.8, 0.76, 0.72, 0.68, 0.64, 0.6, 0.55, 0.5];
  const NOT_A_PHOTO = "is not a photo: choose a JPG, PNG or WebP";
  let chosen = [];
  let most = 5;

  function jpeg(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  // The photo as it will be sent: {blob, width, height}; null when this phone cannot read it.
  async function shrink(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, {imageOrientation: "from-image"});
    } catch (error) {
      return null;
    }
    let scale = Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height));
    for (;;) {
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext("2d");
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, width, height);
      // The best quality that fits: near 300 KB for a real photo of real work.
      for (const quality of QUALITIES) {
        const blob = await jpeg(canvas, quality);
        if (blob && blob.size <= TARGET) {
          if (bitmap.close) bitmap.close();
          return {blob: blob, width: width, height: height};
        }
      }
      scale *= 0.8;
    }
  }

  function name(index, photo) {
    return "Photo " + (index + 1) + (photo.name ? " (" + photo.name + ")" : "");
  }

  // Each photo chosen: made small here, or kept as it is when this phone cannot read it (the
  // server then says what is wrong, and the log waits on this phone marked "needs attention").
  async function add(files, problem) {
    const problems = [];
    for (const file of files) {
      if (chosen.length >= most) {
        problems.push("Choose " + most + " photos or fewer");
        break;
      }
      if (file.type && !file.type.startsWith("image/")) {
        problems.push(name(chosen.length, {name: file.name}) + " " + NOT_A_PHOTO);
        continue;
      }
      const small = await shrink(file);
      chosen.push(small ? {name: file.name.replace(/\.[^.]*$/, "") + ".jpg", blob: small.blob,
        width: small.width, height: small.height}
        : {name: file.name, blob: file, width: 0, height: 0});
    }
    problem(problems.join(". "));
  }

  function draw(list) {
    list.replaceChildren.apply(list, chosen.map(function (photo, index) {
      const item = document.createElement("li");
      const words = document.createElement("span");
      words.textContent = name(index, {}) + ": " + Math.max(1, Math.round(photo.blob.size / 1024)) +
        " KB" + (photo.width ? ", " + photo.width + " × " + photo.height + " pixels" : "");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button--secondary button--small";
      remove.textContent = "Remove photo " + (index + 1);
      remove.addEventListener("click", function () {
        chosen.splice(index, 1);
        draw(list);
      });
      item.append(words, remove);
      return item;
    }));
    list.hidden = chosen.length === 0;
  }

  // The form's photo field: every pick adds to the list (a phone camera takes one at a time).
  function enhance(form, showProblem) {
    const input = form.querySelector("#photos");
    const list = form.querySelector("#photo-list");
    if (!input || !list) return;
    most = (JSON.parse(form.dataset.phone).photos || {}).most || most;
    input.addEventListener("change", async function () {
      const files = Array.from(input.files);
      input.value = "";
      input.disabled = true;
      try {
        await add(files, showProblem);
      } finally {
        input.disabled = false;
        draw(list);
      }
    });
    return {
      list: function () { return chosen.slice(); },
      load: function (photos) {
        chosen = (photos || []).slice();
        draw(list);
      },
    };
  }

  scope.FieldappPhotos = {enhance: enhance, shrink: shrink};
})(self);
