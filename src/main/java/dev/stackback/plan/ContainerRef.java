package dev.stackback.plan;

import java.util.Objects;

/** A container the plan acts on: its id for the runtime, its name for people. */
public record ContainerRef(String id, String name) {
  public ContainerRef {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String toString() {
    return name;
  }
}
