// The desk's payment form: the total of the ticked bills, shown and put in the amount as the clerk ticks.
(function () {
  function fen(text) {
    var parts = String(text).split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function yuan(total) {
    var whole = Math.floor(total / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + whole + "." + String(total % 100).padStart(2, "0");
  }
  function update(box, touched) {
    var total = 0;
    box.querySelectorAll("input[name=bills]:checked").forEach(function (input) {
      total += fen(input.dataset.outstanding);
    });
    var shown = document.getElementById("desk-ticked-total");
    if (shown) shown.textContent = yuan(total);
    var amount = box.form && box.form.querySelector("input[name=amount]");
    if (amount && touched) amount.value = total ? (Math.floor(total / 100) + "." + String(total % 100).padStart(2, "0")) : "";
  }
  document.querySelectorAll("[data-desk-bills]").forEach(function (box) {
    update(box, false);
    box.addEventListener("change", function () { update(box, true); });
  });
})();
