// Adds one more petitioner fieldset to the registration form (co-signers, representatives).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("add-person");
  if (!button) return;
  button.addEventListener("click", function () {
    var total = document.getElementById("id_people-TOTAL_FORMS");
    var n = parseInt(total.value, 10);
    var html = document.getElementById("person-template").innerHTML.replace(/__prefix__/g, n);
    var holder = document.createElement("div");
    holder.innerHTML = html;
    button.parentNode.insertBefore(holder.firstElementChild, button);
    total.value = n + 1;
  });
});

// Shows only the fields that apply to the chosen channel (a head count for visits, the
// handing-down office for matters from above); the server drops the others' values.
document.addEventListener("DOMContentLoaded", function () {
  var channel = document.getElementById("id_channel");
  if (!channel) return;
  function follow() {
    document.querySelectorAll("#register-form [data-channels]").forEach(function (row) {
      row.hidden = row.dataset.channels.split(" ").indexOf(channel.value) < 0;
    });
  }
  channel.addEventListener("change", follow);
  follow();
});
