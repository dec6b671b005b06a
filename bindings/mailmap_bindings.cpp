#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>

#include "gitfleet/git/mailmap.hpp"
#include "fs_path.hpp"

namespace gitfleet::bindings {

namespace nb = nanobind;

namespace {

std::string_view view(const nb::bytes& b) { return {b.c_str(), b.size()}; }

nb::bytes to_bytes(const std::string& s) { return nb::bytes(s.data(), s.size()); }

}  // namespace

// Names and e-mails travel as bytes: git compares them as bytes, and Python decodes them as
// the rest of a commit's text.
void bind_mailmap(nb::module_& m) {
  nb::class_<git::Mailmap>(m, "Mailmap")
      .def(nb::init<>())
      .def("__init__", [](git::Mailmap* self, nb::bytes text) { new (self) git::Mailmap(view(text)); },
           nb::arg("text"))
      .def("__bool__", [](const git::Mailmap& mm) { return !mm.empty(); })
      .def(
          "map",
          [](const git::Mailmap& mm, nb::bytes name, nb::bytes email) {
            auto [n, e] = mm.map(view(name), view(email));
            return nb::make_tuple(to_bytes(n), to_bytes(e));
          },
          nb::arg("name"), nb::arg("email"));
  m.def(
      "read_mailmap",
      [](FsPath repo_path) {
        nb::gil_scoped_release release;
        return git::read_mailmap(repo_path.bytes);
      },
      nb::arg("repo_path"));
}

}  // namespace gitfleet::bindings
