import { describe, expect, it } from "vitest";

import { nameFromFile } from "./YourData";

describe("upload names", () => {
  it("follow the server's run-name pattern", () => {
    expect(nameFromFile("My Photos.zip")).toBe("My_Photos");
    expect(nameFromFile("reviews.v2.csv")).toBe("reviews.v2");
    expect(nameFromFile("__MACOSX.zip")).toBe("MACOSX");
    expect(nameFromFile(".zip")).toBe("my_data");
  });
});
