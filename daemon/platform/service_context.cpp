#include "daemon/platform/service_context.h"

namespace tlsring::platform {

void ServiceContext::on_stop_requested(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  stop_handler_ = std::move(handler);
  // A stop that came before the loop was listening must not be lost: the
  // manager sends it only once.
  if (stop_requested_ && !stop_delivered_ && stop_handler_) {
    stop_delivered_ = true;
    stop_handler_();
  }
}

void ServiceContext::on_reload_requested(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  reload_handler_ = std::move(handler);
}

void ServiceContext::clear_handlers() {
  std::lock_guard lock(mutex_);
  stop_handler_ = nullptr;
  reload_handler_ = nullptr;
}

void ServiceContext::report_ready() {
  std::function<void()> ready;
  {
    std::lock_guard lock(mutex_);
    if (ready_reported_) return;
    ready_reported_ = true;
    ready = hooks_.ready;
  }
  if (ready) ready();
}

bool ServiceContext::stop_requested() const {
  std::lock_guard lock(mutex_);
  return stop_requested_;
}

void ServiceContext::request_stop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
  if (!stop_delivered_ && stop_handler_) {
    stop_delivered_ = true;
    stop_handler_();
  }
}

void ServiceContext::request_reload() {
  std::lock_guard lock(mutex_);
  if (reload_handler_) reload_handler_();
}

}  // namespace tlsring::platform
