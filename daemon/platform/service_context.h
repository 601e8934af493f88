// ServiceContext: what a service manager and the service loop say to each
// other, whatever the manager is. The manager (Windows' SCM through
// run_as_service) asks for a stop or a reload; the loop registers what to do
// then, and says when it is ready. On Linux nothing asks (signals reach the
// loop directly) and report_ready does nothing: the context is inert.
//
// Contract:
//  - request_stop() delivers to the stop handler exactly once, however often
//    and from whichever thread it is called, and also when the handler is
//    registered only after the request (the handler then runs at once, on the
//    registering thread). request_reload() delivers every request that finds
//    a handler; one made before a handler exists is dropped.
//  - Handlers run on the manager's thread, under the context's lock: they
//    must be quick and must not call back into the context (post to the
//    loop's io_context and return). clear_handlers() waits for a running
//    handler to finish, so after it the loop may be destroyed safely.
//  - report_ready() runs the `ready` hook once, on the first call.
//  - service_name() is the name the manager runs the service under (Windows:
//    the installed name, also the event log source); empty when no manager
//    runs it (Linux, or a console).
#pragma once

#include <functional>
#include <mutex>
#include <string>

namespace tlsring::platform {

class ServiceContext {
 public:
  struct Hooks {
    std::function<void()> ready;  // the service now runs (Windows: SERVICE_RUNNING)
  };

  ServiceContext() = default;
  ServiceContext(std::string service_name, Hooks hooks)
      : service_name_(std::move(service_name)), hooks_(std::move(hooks)) {}
  ServiceContext(const ServiceContext&) = delete;
  ServiceContext& operator=(const ServiceContext&) = delete;

  // The service loop's side.
  void on_stop_requested(std::function<void()> handler);
  void on_reload_requested(std::function<void()> handler);
  void clear_handlers();
  void report_ready();
  bool stop_requested() const;
  const std::string& service_name() const { return service_name_; }

  // The manager's side.
  void request_stop();
  void request_reload();

 private:
  const std::string service_name_;
  const Hooks hooks_;
  mutable std::mutex mutex_;
  std::function<void()> stop_handler_;
  std::function<void()> reload_handler_;
  bool stop_requested_ = false;
  bool stop_delivered_ = false;
  bool ready_reported_ = false;
};

}  // namespace tlsring::platform
