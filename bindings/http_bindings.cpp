// The provider clients' native transport: HttpClient's GETs complete through a Python
// callback (the async bridge settles the awaiting future), and simdjson parses bodies into
// Python objects. The GIL is never held while libcurl works.
#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <simdjson.h>

#include <memory>

#include "gitfleet/core/scrub_credentials.hpp"
#include "gitfleet/http/http_client.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {
namespace {

using namespace gitfleet::http;

// Owns the client; its destruction (joining the client's thread) happens without the GIL,
// so a callback waiting for the GIL on that thread cannot deadlock it.
struct NativeHttpClient {
  std::unique_ptr<HttpClient> client;
  explicit NativeHttpClient(HttpOptions o) : client(std::make_unique<HttpClient>(o)) {}
  ~NativeHttpClient() { close(); }
  void close() {
    if (!client) return;
    if (PyGILState_Check()) {
      nb::gil_scoped_release release;
      client.reset();
    } else {
      client.reset();
    }
  }
  HttpClient& get() {
    if (!client) throw Error(ErrorCode::InvalidArgument, "the HTTP client is closed");
    return *client;
  }
};

nb::object to_python(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      nb::list out;
      for (simdjson::dom::element item : e.get_array()) out.append(to_python(item));
      return out;
    }
    case element_type::OBJECT: {
      nb::dict out;
      for (auto field : e.get_object()) {
        std::string_view key = field.key;
        out[nb::str(key.data(), key.size())] = to_python(field.value);
      }
      return out;
    }
    case element_type::STRING: {
      std::string_view s = e.get_string();
      return nb::str(s.data(), s.size());
    }
    case element_type::INT64: return nb::int_(int64_t(e.get_int64()));
    case element_type::UINT64: return nb::int_(uint64_t(e.get_uint64()));
    case element_type::DOUBLE: return nb::float_(double(e.get_double()));
    case element_type::BOOL: return nb::bool_(bool(e.get_bool()));
    case element_type::NULL_VALUE: return nb::none();
  }
  return nb::none();
}

}  // namespace

void bind_http(nb::module_& m) {
  nb::class_<NativeHttpClient>(m, "HttpClient")
      .def("__init__",
           [](NativeHttpClient* self, double timeout, unsigned max_connections) {
             HttpOptions o;
             o.timeout = std::chrono::milliseconds(static_cast<long>(timeout * 1000));
             o.max_connections = max_connections;
             new (self) NativeHttpClient(o);
           },
           nb::arg("timeout"), nb::arg("max_connections"))
      .def("start_get",
           [](NativeHttpClient& self, std::string url, Headers headers, nb::callable on_done) {
             auto callback = std::make_shared<PythonCallback>(std::move(on_done));
             return self.get().get(std::move(url), std::move(headers), [callback](HttpResponse r) {
               callback->call([&] {
                 if (r.error)
                   return std::make_tuple(nb::object(nb::none()), python_exception_for(std::make_exception_ptr(*r.error)));
                 nb::dict headers;
                 for (auto& [k, v] : r.headers) headers[nb::str(k.data(), k.size())] = nb::str(v.data(), v.size());
                 return std::make_tuple(nb::object(nb::make_tuple(r.status, headers, nb::bytes(r.body.data(), r.body.size()))),
                                        nb::object(nb::none()));
               });
             });
           },
           nb::arg("url"), nb::arg("headers"), nb::arg("on_done"),
           "Starts a GET; on_done((status, headers, body), None) or on_done(None, exception) is called once.")
      .def("cancel", [](NativeHttpClient& self, std::uint64_t id) { self.get().cancel(id); }, nb::arg("id"))
      .def("close", &NativeHttpClient::close);

  m.def("scrub_credentials", &scrub_credentials, nb::arg("text"), nb::arg("secret") = "",
        "The text without `secret` and with every URL's userinfo, query and fragment removed.");

  m.def("parse_json", [](nb::bytes body) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(body.c_str(), body.size());
    simdjson::dom::element root;
    simdjson::error_code error;
    {
      nb::gil_scoped_release release;  // parsing needs no Python; building the objects does
      error = parser.parse(padded).get(root);
    }
    if (error) throw nb::value_error(simdjson::error_message(error));
    return to_python(root);
  }, nb::arg("body"), "JSON text (bytes) to Python objects, parsed by simdjson.");
}

}  // namespace gitfleet::bindings
