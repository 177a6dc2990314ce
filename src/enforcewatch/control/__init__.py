"""Control of enterprise inspections (seed 002 二(一); issue 18): the plans and special inspections
agencies file before inspecting (`plans`), their publication as 涉企检查计划 (`publication`), their
import from a sheet (`plansheet`), and the matching of every reported inspection against them
(`matching`)."""
