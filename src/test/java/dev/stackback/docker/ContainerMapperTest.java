package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerMapperTest {

  @Test
  void parseEnv_splitsAtFirstEquals_andKeepsBareNames() {
    assertEquals(
        Map.of("A", "1", "URL", "x=y=z", "EMPTY", "", "BARE", ""),
        ContainerMapper.parseEnv(new String[] {"A=1", "URL=x=y=z", "EMPTY=", "BARE"}));
  }

  @Test
  void parseEnv_laterDuplicateWins() {
    assertEquals(Map.of("A", "2"), ContainerMapper.parseEnv(new String[] {"A=1", "A=2"}));
  }
}
