/* The effect list's "move up" / "move down" buttons: the keyboard's way to do what sortable2's drag
   handle does. A move swaps the row with its neighbour on screen, saves both through sortable2's
   update URL (the same server code as a drag), keeps focus on the pressed button and says what
   happened in the status line. No inline code: the pages' CSP runs only our own script files. */
(function () {
  "use strict";

  function config() {
    var element = document.getElementById("admin_sortable2_config");
    return element ? JSON.parse(element.textContent) : null;
  }

  function csrfToken(table) {
    var form = table.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function handleOf(row) {
    return row.querySelector(".drag.handle");
  }

  function nameOf(row) {
    var name = row.querySelector(".pm-name");
    return name ? name.textContent : "The effect";
  }

  function rows(body) {
    return Array.prototype.filter.call(body.children, function (row) {
      return row.tagName === "TR" && handleOf(row);
    });
  }

  function markEnds(body) {
    var all = rows(body);
    all.forEach(function (row, index) {
      var up = row.querySelector(".pm-move[data-move=up]");
      var down = row.querySelector(".pm-move[data-move=down]");
      if (up) up.setAttribute("aria-disabled", index === 0 ? "true" : "false");
      if (down) down.setAttribute("aria-disabled", index === all.length - 1 ? "true" : "false");
    });
  }

  function say(text) {
    var status = document.getElementById("order-status");
    if (status) status.textContent = text;
  }

  function save(url, table, items) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken(table)},
      body: JSON.stringify({updatedItems: items}),
    }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    });
  }

  // Put `upper` right above `lower` (they are neighbours); the order values trade places with them.
  function swap(body, upper, lower, moved) {
    var upperOrder = handleOf(lower).getAttribute("order");
    var lowerOrder = handleOf(upper).getAttribute("order");
    // Move the row that was not pressed, so the pressed button keeps its focus.
    if (moved === upper) body.insertBefore(lower, upper.nextSibling);
    else body.insertBefore(upper, lower);
    handleOf(upper).setAttribute("order", upperOrder);
    handleOf(lower).setAttribute("order", lowerOrder);
    markEnds(body);
    return [[handleOf(upper).getAttribute("pk"), upperOrder], [handleOf(lower).getAttribute("pk"), lowerOrder]];
  }

  function start() {
    var settings = config();
    var table = document.getElementById("result_list");
    if (!settings || !table || !table.tBodies.length) return;
    var body = table.tBodies[0];
    markEnds(body);
    body.addEventListener("click", function (event) {
      var button = event.target.closest(".pm-move");
      if (!button || !body.contains(button)) return;
      event.preventDefault();
      var row = button.closest("tr");
      var all = rows(body);
      var index = all.indexOf(row);
      var up = button.getAttribute("data-move") === "up";
      var neighbour = all[up ? index - 1 : index + 1];
      if (!neighbour) {
        say(nameOf(row) + " is already " + (up ? "first" : "last") + " on this page.");
        return;
      }
      var items = up ? swap(body, row, neighbour, row) : swap(body, neighbour, row, row);
      var place = rows(body).indexOf(row) + 1;
      save(settings.update_url, table, items).then(
        function () {
          say(nameOf(row) + " moved " + (up ? "up" : "down") + ": now " + place + " of " + all.length + ".");
        },
        function () {
          // Not saved: put the rows back as they were, and say so.
          if (up) swap(body, neighbour, row, row);
          else swap(body, row, neighbour, row);
          say(nameOf(row) + " was not moved: the order could not be saved. Reload the page and try again.");
        }
      );
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
